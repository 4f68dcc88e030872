"""Signatures of media, imaging, graphics and UI libraries: audio and video codecs, sound
systems, 2D graphics and text rendering, image processing and scientific image formats.

Each product is identified by the strongest evidence its own library holds on every
architecture (each checked on Debian 12 amd64 and arm64 builds):

* banner text next to an anchor: FFmpeg (``FFmpeg version x.y.z``, the ``av_*_ffversion``
  string of libavutil/libavcodec/libavformat), SDL2 (the ``SDL-release-2.x.y`` revision),
  libsndfile (``libsndfile-x.y.z``), Opus (``libopus x.y.z``), FLAC (``reference libFLAC
  x.y.z``), libvorbis (``Xiph.Org libVorbis x.y.z``), libvpx (``WebM Project VP9 Decoder
  vx.y.z``), libaom (``AOMedia Project AV1 Decoder vx.y.z``), ImageMagick (``ImageMagick
  x.y.z-p Q16``), OpenCV (its build information banner), HDF5 (``HDF5 library version:``),
  GNU FriBidi (``(GNU FriBidi) x.y.z``), libsamplerate (``libsamplerate-x.y.z (c)``),
  libbluray (``libbluray version x.y.z``), libass (its ``tarball: x.y.z`` source line) and
  GStreamer (the core's static elements plugin descriptor). Texts that also occur in files
  the library wrote or in programs quoting it (FLAC, Opus, libsndfile vendor strings,
  ImageMagick's ``MagickVersion``) need a ``context`` string only the library holds;
* an exported version function the file *defines*, decoded without executing it: strings
  from ALSA ``snd_asoundlib_version``, LAME ``get_lame_version``, dav1d ``dav1d_version``,
  libde265 ``de265_get_version``, libheif ``heif_get_version``, libgd ``gdVersionString``,
  libavif ``avifVersion``, WavPack ``WavpackGetLibraryVersionString``, FluidSynth
  ``fluid_version_str`` and libvips ``vips_version_string``; decimal ``MMmmpp`` numbers
  from cairo ``cairo_version``, pixman ``pixman_version``, Pango ``pango_version`` and
  Fontconfig ``FcGetVersion``; hex from LibRaw ``LibRaw::versionNumber`` (and libvpx
  ``vpx_codec_version`` / libaom ``aom_codec_version`` behind their banners); libbluray's
  ``bd_get_version`` stores the three numbers through its pointer arguments;
* soname + file name: PulseAudio's private ``libpulsecommon-16.1.so`` names the release.
"""

from __future__ import annotations

from soupwatch.discover.signatures.model import NO_TEXT, Signature

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        key="ffmpeg",
        product="FFmpeg",
        cpe="ffmpeg:ffmpeg",
        anchors=(b"FFmpeg version ",),
        # av_util_ffversion / av_codec_ffversion / av_format_ffversion: "FFmpeg version "
        # FFMPEG_VERSION, a C string of its own (a release; git builds say "N-…" and stay
        # unversioned here). No NUL is required before it: a char array without its
        # terminator (a 16-byte hex-digit table in Debian 13's libavutil) can sit right
        # in front of it.
        version=rb"FFmpeg version n?(\d+\.\d+(?:\.\d+)?)[-+~\x00 ]",
        before=0,
        after=48,
    ),
    Signature(
        key="gstreamer",
        product="GStreamer",
        cpe="gstreamer_project:gstreamer",
        anchors=(b"\x00gstreamer\x00",),
        # the core library's "staticelements" plugin descriptor: its source name
        # "gstreamer", licence and PACKAGE_VERSION sit together (in either order)
        version=rb"\x00(1\.\d{1,2}\.\d{1,3})\x00",
        before=64,
        after=48,
        context=(b"core elements linked into the GStreamer library",),
    ),
    Signature(
        key="alsa_lib",
        product="ALSA library",
        cpe="alsa-project:alsa-lib",
        anchors=(b"snd_asoundlib_version",),
        version=rb"alsa-lib[ -](1\.\d+\.\d+)",
        # snd_asoundlib_version() returns SND_LIB_VERSION_STR ("1.2.8")
        functions=(("snd_asoundlib_version", "string"),),
    ),
    Signature(
        key="pulseaudio",
        product="PulseAudio",
        cpe="pulseaudio:pulseaudio",
        anchors=(b"libpulsecommon-",),
        # no version text of its own: the private common library is named after the
        # release (libpulsecommon-16.1.so), trusted only when DT_SONAME is that name (a
        # program linking it has the same text in its DT_NEEDED)
        version=NO_TEXT,
        soname=r"^libpulsecommon-\d+\.\d+\.so$",
        file_version=r"^libpulsecommon-(\d+\.\d+)\.so$",
    ),
    Signature(
        key="libsndfile",
        product="libsndfile",
        cpe="libsndfile_project:libsndfile",
        anchors=(b"\x00libsndfile-",),
        version=rb"\x00libsndfile-(\d+\.\d+\.\d+)\x00",
        before=0,
        after=32,
        # a file libsndfile wrote may carry the same vendor text: only the library has
        # its sf_command trace
        context=(b"*** sf_command : cmd = 0x",),
    ),
    Signature(
        key="opus",
        product="Opus",
        cpe="opus-codec:opus",
        anchors=(b"\x00libopus ",),
        # opus_get_version_string(): "libopus 1.3.1" (or "libopus 1.4-fixed")
        version=rb"\x00libopus (\d+\.\d+(?:\.\d+)?)[-\x00]",
        before=0,
        after=32,
        # an Ogg Opus file's OpusTags carries the same vendor text: the library's own
        # opus_strerror() texts tell the two apart
        context=(b"request not implemented",),
    ),
    Signature(
        key="flac",
        product="FLAC",
        cpe="flac_project:flac",
        anchors=(b"reference libFLAC ",),
        # FLAC__VENDOR_STRING "reference libFLAC 1.4.2 20221022"
        version=rb"reference libFLAC (\d+\.\d+\.\d+) 20\d{6}\x00",
        before=0,
        after=40,
        # every .flac file libFLAC wrote has the vendor string too: the library also has
        # FLAC__EntropyCodingMethodTypeString
        context=(b"PARTITIONED_RICE2\x00",),
    ),
    Signature(
        key="sdl2",
        product="SDL2",
        cpe="libsdl:simple_directmedia_layer",
        anchors=(b"SDL-release-2.",),
        # SDL_REVISION, returned by SDL_GetRevision(): "SDL-release-2.26.5-0-gac13ca9ab"
        version=rb"SDL-release-(2\.\d+\.\d+)[-\x00 ]",
        before=0,
        after=40,
    ),
    Signature(
        key="cairo",
        product="cairo",
        cpe="cairographics:cairo",
        anchors=(b"cairo_version_string",),
        version=rb"cairo[ /-](1\.\d+\.\d+)\x00",
        # cairo_version() returns CAIRO_VERSION_ENCODE = major*10000 + minor*100 + micro
        functions=(("cairo_version", "decimal"), ("cairo_version_string", "string")),
    ),
    Signature(
        key="pixman",
        product="pixman",
        cpe="pixman:pixman",
        anchors=(b"pixman_version_string",),
        version=rb"pixman[ /-](0\.\d+\.\d+)\x00",
        # pixman_version() returns PIXMAN_VERSION_ENCODE = major*10000 + minor*100 + micro
        functions=(("pixman_version", "decimal"), ("pixman_version_string", "string")),
    ),
    Signature(
        key="pango",
        product="Pango",
        cpe="gnome:pango",
        anchors=(b"pango_version_string",),
        version=rb"[Pp]ango[ /-](1\.\d+\.\d+)\x00",
        # pango_version() returns PANGO_VERSION_ENCODE = major*10000 + minor*100 + micro
        functions=(("pango_version", "decimal"), ("pango_version_string", "string")),
    ),
    Signature(
        key="fontconfig",
        product="Fontconfig",
        cpe="fontconfig_project:fontconfig",
        anchors=(b"FcGetVersion",),
        version=rb"fontconfig[ /-](2\.\d+\.\d+)\x00",
        # FcGetVersion() returns FC_VERSION = major*10000 + minor*100 + revision
        functions=(("FcGetVersion", "decimal"),),
    ),
    Signature(
        key="imagemagick",
        product="ImageMagick",
        cpe="imagemagick:imagemagick",
        anchors=(b"ImageMagick ",),
        # MagickVersion: "ImageMagick 6.9.11-60 Q16 x86_64 2021-01-25 https://imagemagick.org";
        # the patch level joins the release as Debian spells it (6.9.11.60)
        version=rb"ImageMagick ([67]\.\d+\.\d+)-(\d+) Q\d\d?[ -]",
        before=0,
        after=48,
        # a program that embeds the MagickVersion macro only quotes it: the library also
        # holds its own log configuration
        context=(b"  <event>%s</event>\n",),
    ),
    Signature(
        key="libraw",
        product="LibRaw",
        cpe="libraw:libraw",
        anchors=(b"libraw_version", b"_ZN6LibRaw13versionNumberEv"),
        version=rb"LibRaw[ /-](0\.\d+\.\d+)\x00",
        # LibRaw::versionNumber() returns LIBRAW_VERSION = (major << 16) | (minor << 8) |
        # patch, LibRaw::version() LIBRAW_VERSION_STR ("0.20.2-Release"); the C wrappers
        # libraw_versionNumber()/libraw_version() only jump to them through the PLT
        functions=(("_ZN6LibRaw13versionNumberEv", "hex"), ("_ZN6LibRaw7versionEv", "string")),
    ),
    Signature(
        key="opencv",
        product="OpenCV",
        cpe="opencv:opencv",
        anchors=(b"General configuration for OpenCV ",),
        # cv::getBuildInformation(): "General configuration for OpenCV 4.6.0 ====="
        version=rb"General configuration for OpenCV (\d+\.\d+\.\d+)[- ]",
        before=0,
        after=48,
    ),
    Signature(
        key="hdf5",
        product="HDF5",
        cpe="hdfgroup:hdf5",
        anchors=(b"HDF5 library version: ",),
        # H5_lib_vers_info_g, also printed by H5check_version(): "HDF5 library version: 1.10.8"
        version=rb"HDF5 library version: (1\.\d+\.\d+)[-\x00]",
        before=0,
        after=40,
    ),
    Signature(
        key="libvpx",
        product="libvpx",
        cpe="webmproject:libvpx",
        anchors=(b"WebM Project VP", b"vpx_codec_version"),
        # the codec interface names: "WebM Project VP9 Decoder v1.12.0"
        version=rb"WebM Project VP[89] (?:De|En)coder v(\d+\.\d+\.\d+)[-\x00]",
        before=0,
        after=48,
        # vpx_codec_version() returns (major << 16) | (minor << 8) | patch
        functions=(("vpx_codec_version", "hex"),),
    ),
    Signature(
        key="libvorbis",
        product="libvorbis",
        cpe="xiph.org:libvorbis",
        anchors=(b"Xiph.Org libVorbis ",),
        # vorbis_version_string(): "Xiph.Org libVorbis 1.3.7" (files carry only the
        # encoder's "Xiph.Org libVorbis I 20200704" vendor text, without a release)
        version=rb"Xiph\.Org libVorbis (1\.\d+\.\d+)\x00",
        before=0,
        after=40,
    ),
    Signature(
        key="lame",
        product="LAME",
        cpe="lame_project:lame",
        anchors=(b"get_lame_version",),
        # every MP3 file LAME wrote carries "LAME3.100": only the library's exported
        # get_lame_version() (returning "3.100") is taken
        version=rb"LAME version (\d+\.\d+)[ \x00]",
        functions=(("get_lame_version", "string"),),
    ),
    Signature(
        key="dav1d",
        product="dav1d",
        cpe="videolan:dav1d",
        anchors=(b"dav1d_version",),
        version=rb"dav1d[ /-](\d+\.\d+\.\d+)\x00",
        # dav1d_version() returns DAV1D_VERSION ("1.0.0")
        functions=(("dav1d_version", "string"),),
    ),
    Signature(
        key="libaom",
        product="libaom (AV1 Codec Library)",
        cpe="aomedia:aomedia",
        anchors=(b"AOMedia Project AV1 ", b"aom_codec_version"),
        # the codec interface names: "AOMedia Project AV1 Decoder v3.6.0"
        version=rb"AOMedia Project AV1 (?:De|En)coder v(\d+\.\d+\.\d+)[-\x00]",
        before=0,
        after=56,
        # aom_codec_version() returns (major << 16) | (minor << 8) | patch
        functions=(("aom_codec_version", "hex"),),
    ),
    Signature(
        key="libde265",
        product="libde265",
        cpe="struktur:libde265",
        anchors=(b"de265_get_version",),
        version=rb"libde265[ /-](\d+\.\d+\.\d+)\x00",
        # de265_get_version() returns LIBDE265_VERSION ("1.0.11")
        functions=(("de265_get_version", "string"),),
    ),
    Signature(
        key="libheif",
        product="libheif",
        cpe="struktur:libheif",
        anchors=(b"heif_get_version",),
        version=rb"libheif[ /-](\d+\.\d+\.\d+)\x00",
        # heif_get_version() returns LIBHEIF_VERSION ("1.15.1")
        functions=(("heif_get_version", "string"),),
    ),
    Signature(
        key="libgd",
        product="GD Graphics Library",
        cpe="libgd:libgd",
        anchors=(b"gdVersionString",),
        version=rb"libgd[ /-](2\.\d+\.\d+)\x00",
        # gdVersionString() returns GD_VERSION_STRING ("2.3.3")
        functions=(("gdVersionString", "string"),),
    ),
    Signature(
        key="fribidi",
        product="GNU FriBidi",
        cpe="gnu:fribidi",
        anchors=(b"(GNU FriBidi) ",),
        # fribidi_version_info: "(GNU FriBidi) 1.0.8\ninterface version 4, ..."
        version=rb"\(GNU FriBidi\) (\d+\.\d+\.\d+)\n",
        before=0,
        after=32,
    ),
    Signature(
        key="libsamplerate",
        product="libsamplerate",
        cpe="libsamplerate_project:libsamplerate",
        anchors=(b"libsamplerate-",),
        # src_get_version(): "libsamplerate-0.2.2 (c) 2002-2008 Erik de Castro Lopo"
        version=rb"libsamplerate-(\d+\.\d+\.\d+) \(c\)",
        before=0,
        after=40,
    ),
    Signature(
        key="libavif",
        product="libavif",
        cpe="aomedia:libavif",
        anchors=(b"avifVersion",),
        version=rb"libavif[ /-](\d+\.\d+\.\d+)\x00",
        # avifVersion() returns AVIF_VERSION_STRING ("0.11.1")
        functions=(("avifVersion", "string"),),
    ),
    Signature(
        key="wavpack",
        product="WavPack",
        cpe="wavpack:wavpack",
        anchors=(b"WavpackGetLibraryVersionString",),
        version=rb"libwavpack[ /-](\d+\.\d+\.\d+)\x00",
        # WavpackGetLibraryVersionString() returns LIBWAVPACK_VERSION_STRING ("5.6.0")
        functions=(("WavpackGetLibraryVersionString", "string"),),
    ),
    Signature(
        key="fluidsynth",
        product="FluidSynth",
        cpe="fluidsynth:fluidsynth",
        anchors=(b"fluid_version_str",),
        version=rb"FluidSynth[ /-](\d+\.\d+\.\d+)\x00",
        # fluid_version_str() returns FLUIDSYNTH_VERSION ("2.3.1")
        functions=(("fluid_version_str", "string"),),
    ),
    Signature(
        key="libvips",
        product="libvips",
        cpe="libvips:libvips",
        anchors=(b"vips_version_string",),
        version=rb"libvips[ /-](8\.\d+\.\d+)\x00",
        # vips_version_string() returns VIPS_VERSION_STRING ("8.14.1")
        functions=(("vips_version_string", "string"),),
    ),
    Signature(
        key="libbluray",
        product="libbluray",
        cpe="videolan:libbluray",
        anchors=(b"libbluray version ", b"bd_get_version"),
        # its debug log line "libbluray version 1.3.4\n"
        version=rb"libbluray version (\d+\.\d+\.\d+)\n",
        before=0,
        after=40,
        # bd_get_version(&major, &minor, &micro)
        functions=(("bd_get_version", "out-triple"),),
    ),
    Signature(
        key="libass",
        product="libass",
        cpe="libass_project:libass",
        anchors=(b"\x00tarball: ",),
        # ass_library_init() logs "libass source: %s" with "tarball: 0.17.1" (a release;
        # a git build says "commit: ..." and stays unversioned)
        version=rb"\x00tarball: (0\.\d+\.\d+)\x00",
        before=0,
        after=32,
        context=(b"libass API version: 0x%X",),
    ),
)
