#ifndef CREDITPRESS_CPANGOCAIRO_H
#define CREDITPRESS_CPANGOCAIRO_H

#include <cairo.h>
#include <cairo-pdf.h>
#include <dlfcn.h>
#include <fontconfig/fontconfig.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>
#include <malloc.h>
#include <pthread.h>

// librsvg is opened when the first SVG is decoded, not linked: it and the libraries it pulls
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
    // The width and height, and whether the file gives them, are not read: NULL.
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

// Makes the calling thread yield to the process's other threads: for work that only makes
// later work faster (Linux gives each thread its own nice value).
static inline void creditpress_lower_thread_priority(void) {
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
}

// The files of the shared objects loaded in this process, one per line, into `buffer`;
// gives the length the whole list needs (more than `capacity`: call again with more room).
// glibc declares dl_iterate_phdr only for _GNU_SOURCE, which the C library's module is not
// built with: declared here, with the two leading fields of its dl_phdr_info, all that is read.
struct dl_phdr_info;
extern int dl_iterate_phdr(int (*callback)(struct dl_phdr_info *, size_t, void *), void *data);

typedef struct {
    uintptr_t address;
    const char *name;
} creditpress_phdr_head;

typedef struct {
    char *buffer;
    size_t capacity;
    size_t length;
} creditpress_object_list;

static inline int creditpress_add_object(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    creditpress_object_list *list = (creditpress_object_list *)data;
    const char *name = ((const creditpress_phdr_head *)info)->name;
    if (!name || !name[0]) return 0;
    size_t count = strlen(name);
    if (list->length + count + 1 <= list->capacity) {
        memcpy(list->buffer + list->length, name, count);
        list->buffer[list->length + count] = '\n';
    }
    list->length += count + 1;
    return 0;
}

static inline size_t creditpress_loaded_objects(char *buffer, size_t capacity) {
    creditpress_object_list list = { buffer, capacity, 0 };
    dl_iterate_phdr(creditpress_add_object, &list);
    return list.length;
}

#endif
