#include <qrencode.h>
#include <zlib.h>
