"""Media, imaging, graphics and UI libraries, each found with its version in real Debian 12
binaries of two architectures; and real programs that only link them, not taken for them."""

from __future__ import annotations

import pytest

from tests.debs import DebCache, upstream
from tests.unit.discover.families import found_signatures

ARCHES = ("amd64", "arm64")

# (package, signature key); the product's version is the package's upstream version
MEDIA = [
    ("libavutil57", "ffmpeg"),
    ("libavcodec59", "ffmpeg"),
    ("libavformat59", "ffmpeg"),
    ("libgstreamer1.0-0", "gstreamer"),
    ("libasound2", "alsa_lib"),
    ("libpulse0", "pulseaudio"),
    ("libsndfile1", "libsndfile"),
    ("libopus0", "opus"),
    ("libflac12", "flac"),
    ("libsdl2-2.0-0", "sdl2"),
    ("libcairo2", "cairo"),
    ("libpixman-1-0", "pixman"),
    ("libpango-1.0-0", "pango"),
    ("libfontconfig1", "fontconfig"),
    ("libmagickcore-6.q16-6", "imagemagick"),
    ("libraw20", "libraw"),
    ("libopencv-core406", "opencv"),
    ("libhdf5-103-1", "hdf5"),
    ("libvpx7", "libvpx"),
    ("libvorbis0a", "libvorbis"),
    ("libmp3lame0", "lame"),
    ("libdav1d6", "dav1d"),
    ("libaom3", "libaom"),
    ("libde265-0", "libde265"),
    ("libheif1", "libheif"),
    ("libgd3", "libgd"),
    ("libfribidi0", "fribidi"),
    ("libsamplerate0", "libsamplerate"),
    ("libavif15", "libavif"),
    ("libwavpack1", "wavpack"),
    ("libfluidsynth3", "fluidsynth"),
    ("libvips42", "libvips"),
    ("libbluray2", "libbluray"),
    ("libass9", "libass"),
]

# (consumer package, keys of libraries its files link through DT_NEEDED but do not contain)
CONSUMERS = [
    ("libchromaprint1", ("ffmpeg",)),  # libavcodec.so.59, libavutil.so.57
    ("libfarstream-0.2-5", ("gstreamer",)),  # libgstreamer-1.0.so.0
    ("libportaudio2", ("alsa_lib",)),  # libasound.so.2
    ("libcanberra-pulse", ("pulseaudio",)),  # libpulse.so.0
    ("libpulse0", ("libsndfile",)),  # libpulsecommon-16.1.so: libsndfile.so.1
    ("libsndfile1", ("opus", "flac", "libvorbis", "lame")),  # libopus, libFLAC, ...
    ("libsdl2-image-2.0-0", ("sdl2",)),  # libSDL2-2.0.so.0
    ("libpangocairo-1.0-0", ("cairo", "fontconfig")),  # libcairo.so.2, libfontconfig.so.1
    ("libcairo2", ("pixman", "fontconfig")),  # libpixman-1.so.0, libfontconfig.so.1
    ("libgtk-3-0", ("pango", "cairo", "fontconfig")),  # libpango-1.0.so.0, ...
    ("php8.2-imagick", ("imagemagick",)),  # libMagickCore-6.Q16.so.6, libMagickWand
    ("libfreeimage3", ("libraw",)),  # libraw.so.20
    ("libgmic1", ("opencv",)),  # libopencv_core.so.406
    ("libnetcdf19", ("hdf5",)),  # libhdf5_serial.so.103
    # libvpx.so.7, libopus.so.0, libvorbis.so.0, libcairo.so.2, libmp3lame.so.0,
    # libdav1d.so.6, libaom.so.3
    ("libavcodec59", ("libvpx", "opus", "libvorbis", "cairo", "lame", "dav1d", "libaom")),
    ("libheif1", ("libde265", "dav1d", "libaom")),  # libde265.so.0, libdav1d.so.6, libaom.so.3
    ("libgd3", ("libheif", "libavif")),  # libheif.so.1, libavif.so.15
    ("php8.2-gd", ("libgd",)),  # libgd.so.3
    ("libpango-1.0-0", ("fribidi",)),  # libfribidi.so.0
    ("libsdl2-2.0-0", ("libsamplerate",)),  # libsamplerate.so.0
    ("libsox-fmt-base", ("wavpack",)),  # libsox_fmt_wavpack.so: libwavpack.so.1
    ("libsdl2-mixer-2.0-0", ("fluidsynth", "sdl2")),  # libfluidsynth.so.3, libSDL2
    ("libavformat59", ("libbluray",)),  # libbluray.so.2
    ("libavfilter8", ("libass",)),  # libass.so.9
]


def _prefetch(debs: DebCache) -> None:
    packages = sorted({p for p, _ in MEDIA} | {p for p, _ in CONSUMERS})
    debs.prefetch([(p, a, "bookworm") for p in packages for a in ARCHES])


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize(("package", "key"), MEDIA, ids=[f"{p}-{k}" for p, k in MEDIA])
def test_media_library_on_a_real_binary(debs: DebCache, package: str, key: str, arch: str) -> None:
    _prefetch(debs)
    pkg = debs.unpacked(package, arch)
    found = found_signatures(pkg.root)
    assert upstream(pkg.version) in found.get(key, set()), found


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize(("package", "keys"), CONSUMERS, ids=[p for p, _ in CONSUMERS])
def test_a_program_linking_a_media_library_is_not_it(
    debs: DebCache, package: str, keys: tuple[str, ...], arch: str
) -> None:
    _prefetch(debs)
    pkg = debs.unpacked(package, arch)
    found = found_signatures(pkg.root)
    assert not set(keys) & set(found), found
