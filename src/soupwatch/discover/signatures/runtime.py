"""Signatures of language runtimes and application frameworks."""

from __future__ import annotations

from soupwatch.discover.signatures.model import Signature
from soupwatch.model import ComponentType

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        key="qt",
        product="Qt",
        cpe="qt:qt",
        anchors=(b"This is the QtCore library version", b" build; by ", b"libQt5", b"libQt6"),
        # Qt 5's banner; Qt 6's QLibraryInfo::build() text
        version=rb"QtCore library version Qt (\d+\.\d+\.\d+)"
        rb"|\x00Qt (\d+\.\d+\.\d+) \([\w-]+ (?:shared|static) \([\w ]+\) \w+ build; by ",
        before=96,
        # the other module libraries (QtNetwork, QtGui, ...) hold no version text; Qt's build
        # names each after the release (libQt5Network.so.5.15.8)
        soname=r"libQt[56]\w+\.so\.[56]$",
        file_version=r"libQt[56]\w+\.so\.([56]\.\d+\.\d+)$",
        type=ComponentType.FRAMEWORK,
    ),
    Signature(
        key="python",
        product="Python",
        cpe="python:python",
        anchors=(b"libpython3.", b"%.80s (%.80s) %.80s"),
        # PY_VERSION just before Py_GetVersion's format, or the banner itself
        version=rb"\x00(3\.\d+\.\d+)\x00+%\.80s \(%\.80s\) %\.80s|\x00Python (3\.\d+\.\d+)\x00",
        before=24,
        # an interpreter linked statically (Debian's /usr/bin/python3.11): PY_VERSION merged
        # elsewhere by the linker, the file's only "3.x.y" string (unicodedata's Unicode 3.2.0
        # table version aside)
        lone=rb"(?<!unidata_version)\x00(3\.\d{1,2}\.\d{1,2})\x00",
        soname=r"libpython3\.\d+\.so\.1\.0$",
        versionless=True,
        confidence=0.6,
        type=ComponentType.FRAMEWORK,
    ),
    Signature(
        key="nodejs",
        product="Node.js",
        cpe="nodejs:node.js",
        anchors=(b"nodejs.org/download/release/v",),
        version=rb"nodejs\.org/download/release/v(\d+\.\d+\.\d+)",
        type=ComponentType.FRAMEWORK,
    ),
    Signature(
        key="openjdk",
        product="OpenJDK",
        cpe="oracle:openjdk",
        anchors=(b'JAVA_VERSION="',),
        version=rb'JAVA_VERSION="(\d+(?:\.\d+)*(?:_\d+)?)"',
        context=(b"IMPLEMENTOR=", b"JAVA_RUNTIME_VERSION", b"OpenJDK"),
        type=ComponentType.FRAMEWORK,
    ),
    Signature(
        key="lua",
        product="Lua",
        cpe="lua:lua",
        anchors=(b"Lua 5.",),
        version=rb"Lua (5\.\d+(?:\.\d+)?)  Copyright",
    ),
)
