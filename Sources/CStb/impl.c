#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_HDR
#define STBI_NO_LINEAR
#include <stb/stb_image.h>
#include "cstb.h"

unsigned char *cstb_load(const char *path, int *width, int *height, int *channels, int desired_channels) {
    return stbi_load(path, width, height, channels, desired_channels);
}
unsigned char *cstb_load_memory(const unsigned char *buffer, int length, int *width, int *height, int *channels, int desired_channels) {
    return stbi_load_from_memory(buffer, length, width, height, channels, desired_channels);
}
const char *cstb_failure_reason(void) { return stbi_failure_reason(); }
void cstb_free(void *pixels) { stbi_image_free(pixels); }
