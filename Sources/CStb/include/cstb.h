#ifndef CSTB_H
#define CSTB_H
// stb_image (PNG/JPEG decoding) from Debian's libstb-dev, compiled once in impl.c.
unsigned char *cstb_load(const char *path, int *width, int *height, int *channels, int desired_channels);
unsigned char *cstb_load_memory(const unsigned char *buffer, int length, int *width, int *height, int *channels, int desired_channels);
const char *cstb_failure_reason(void);
void cstb_free(void *pixels);
#endif
