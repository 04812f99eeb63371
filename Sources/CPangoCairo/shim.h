#ifndef CREDITPRESS_CPANGOCAIRO_H
#define CREDITPRESS_CPANGOCAIRO_H

#include <cairo.h>
#include <cairo-pdf.h>
#include <dlfcn.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>
#include <malloc.h>
#include <pthread.h>

// librsvg is opened when the first SVG is drawn, not linked: it and the libraries it pulls
// in (libxml2, ICU, GIO, gdk-pixbuf and theirs) would otherwise be loaded by every start of
// the program, before it has read which artwork, if any, the activity has. The few
// functions used are declared here as librsvg 2.52 and later define them.

typedef struct _RsvgHandle RsvgHandle;

typedef struct {
    double x;
    double y;
    double width;
    double height;
} RsvgRectangle;

typedef struct {
    RsvgHandle *(*new_from_file)(const char *, GError **);
    gboolean (*get_intrinsic_size_in_pixels)(RsvgHandle *, gdouble *, gdouble *);
    // The three lengths (width, height and their presence flags) are not read: NULL.
    void (*get_intrinsic_dimensions)(RsvgHandle *, gboolean *, void *, gboolean *, void *, gboolean *, RsvgRectangle *);
    gboolean (*render_document)(RsvgHandle *, cairo_t *, const RsvgRectangle *, GError **);
} creditpress_rsvg_api;

// librsvg's functions, or NULL when no librsvg 2.52 or later can be opened. Safe to call
// from several threads.
static inline const creditpress_rsvg_api *creditpress_rsvg(void) {
    static creditpress_rsvg_api api;
    static int state = 0;  // 0 not tried, 1 ready, -1 missing
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    if (state == 0) {
        state = -1;
        void *library = dlopen("librsvg-2.so.2", RTLD_NOW | RTLD_LOCAL);
        if (library) {
            api.new_from_file = (RsvgHandle *(*)(const char *, GError **))dlsym(library, "rsvg_handle_new_from_file");
            api.get_intrinsic_size_in_pixels = (gboolean (*)(RsvgHandle *, gdouble *, gdouble *))dlsym(library, "rsvg_handle_get_intrinsic_size_in_pixels");
            api.get_intrinsic_dimensions = (void (*)(RsvgHandle *, gboolean *, void *, gboolean *, void *, gboolean *, RsvgRectangle *))dlsym(library, "rsvg_handle_get_intrinsic_dimensions");
            api.render_document = (gboolean (*)(RsvgHandle *, cairo_t *, const RsvgRectangle *, GError **))dlsym(library, "rsvg_handle_render_document");
            if (api.new_from_file && api.get_intrinsic_size_in_pixels && api.get_intrinsic_dimensions && api.render_document) {
                state = 1;
            }
        }
    }
    pthread_mutex_unlock(&lock);
    return state == 1 ? &api : NULL;
}

#endif
