#ifndef CREDITPRESS_CPANGOCAIRO_H
#define CREDITPRESS_CPANGOCAIRO_H

#include <cairo.h>
#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>
#include <librsvg/rsvg.h>
#include <malloc.h>

#endif
