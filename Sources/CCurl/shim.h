#include <curl/curl.h>
#include <dlfcn.h>
#include <stddef.h>

// libcurl is opened when a time-stamp is first asked for, not linked: it and the dozen
// libraries it pulls in would otherwise be loaded by every start of the program, which is
// most of the time a learner waits for one certificate.
//
// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: C calls
// them here through one typed wrapper per kind of value.

typedef struct {
    CURL *(*start)(void);
    void (*cleanup)(CURL *);
    CURLcode (*perform)(CURL *);
    CURLcode (*setopt)(CURL *, CURLoption, ...);
    CURLcode (*getinfo)(CURL *, CURLINFO, ...);
    const char *(*strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} creditpress_curl_api;

// The library's functions, or NULL when no libcurl can be opened.
static inline const creditpress_curl_api *creditpress_curl(void) {
    static creditpress_curl_api api;
    static int state = 0;  // 0 not tried, 1 ready, -1 missing
    if (state == 0) {
        void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
        if (!library) library = dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL);
        state = -1;
        if (library) {
            api.start = (CURL *(*)(void))dlsym(library, "curl_easy_init");
            api.cleanup = (void (*)(CURL *))dlsym(library, "curl_easy_cleanup");
            api.perform = (CURLcode (*)(CURL *))dlsym(library, "curl_easy_perform");
            api.setopt = (CURLcode (*)(CURL *, CURLoption, ...))dlsym(library, "curl_easy_setopt");
            api.getinfo = (CURLcode (*)(CURL *, CURLINFO, ...))dlsym(library, "curl_easy_getinfo");
            api.strerror = (const char *(*)(CURLcode))dlsym(library, "curl_easy_strerror");
            api.slist_append = (struct curl_slist *(*)(struct curl_slist *, const char *))dlsym(library, "curl_slist_append");
            api.slist_free_all = (void (*)(struct curl_slist *))dlsym(library, "curl_slist_free_all");
            if (api.start && api.cleanup && api.perform && api.setopt && api.getinfo && api.strerror
                && api.slist_append && api.slist_free_all) {
                state = 1;
            }
        }
    }
    return state == 1 ? &api : NULL;
}

static inline CURLcode creditpress_curl_set_long(CURL *handle, CURLoption option, long value) {
    return creditpress_curl()->setopt(handle, option, value);
}
static inline CURLcode creditpress_curl_set_pointer(CURL *handle, CURLoption option, const void *value) {
    return creditpress_curl()->setopt(handle, option, value);
}
static inline CURLcode creditpress_curl_set_write(CURL *handle, size_t (*callback)(char *, size_t, size_t, void *)) {
    return creditpress_curl()->setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}
static inline CURLcode creditpress_curl_response_code(CURL *handle, long *code) {
    return creditpress_curl()->getinfo(handle, CURLINFO_RESPONSE_CODE, code);
}
