/*
 * include/winpv/version.h - the release version of winpv's drivers, in one
 * place: XENBUS announces it to the platform device (the unplug protocol's
 * build number) and to the toolstack (attr/PVAddons, docs/TOOLSTACK-KEYS.md).
 * A release raises it; the build number only ever grows, so a toolstack can
 * blacklist one build.
 */
#ifndef WINPV_VERSION_H
#define WINPV_VERSION_H

#define WINPV_VERSION_MAJOR 0
#define WINPV_VERSION_MINOR 1
#define WINPV_VERSION_MICRO 0
#define WINPV_VERSION_BUILD 1

#endif /* WINPV_VERSION_H */
