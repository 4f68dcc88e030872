"""Signatures of boot loaders, kernels, C libraries, init systems and base utilities."""

from __future__ import annotations

from soupwatch.discover.signatures.model import Signature
from soupwatch.model import ComponentType

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        key="linux_kernel",
        product="Linux kernel",
        cpe="linux:linux_kernel",
        anchors=(b"Linux version ",),
        version=rb"Linux version (\d+\.\d+(?:\.\d+)?)[^\x00\s]* \(",
        type=ComponentType.OPERATING_SYSTEM,
    ),
    Signature(
        key="u_boot",
        product="U-Boot",
        cpe="denx:u-boot",
        anchors=(b"U-Boot ",),
        version=(
            rb"(?:\x00(20\d\d\.\d\d(?:\.\d+)?)\x00U-Boot mkimage"
            rb"|U-Boot(?: SPL)? (20\d\d\.\d\d(?:\.\d+)?))"
        ),
        before=24,
        type=ComponentType.FIRMWARE,
    ),
    Signature(
        key="grub",
        product="GRUB",
        cpe="gnu:grub2",
        anchors=(b"GNU GRUB",),
        version=rb"GNU GRUB  version (\d+\.\d+(?:[~.][a-z0-9]+)?)",
        type=ComponentType.FIRMWARE,
    ),
    Signature(
        key="busybox",
        product="BusyBox",
        cpe="busybox:busybox",
        anchors=(b"BusyBox v",),
        version=rb"BusyBox v(\d+\.\d+\.\d+)",
        type=ComponentType.APPLICATION,
    ),
    Signature(
        key="glibc",
        product="glibc",
        cpe="gnu:glibc",
        anchors=(b"GNU C Library",),
        version=rb"GNU C Library[^\x00]{0,80}?version (\d+\.\d+(?:\.\d+)?)",
    ),
    Signature(
        key="musl",
        product="musl",
        cpe="musl-libc:musl",
        anchors=(b"musl libc",),
        version=rb"musl libc[^\x00]{0,40}?Version (\d+\.\d+\.\d+)",
    ),
    Signature(
        key="uclibc_ng",
        product="uClibc-ng",
        cpe="uclibc-ng_project:uclibc-ng",
        anchors=(b"uClibc",),
        version=rb"uClibc(?:-ng)? (\d+\.\d+\.\d+)",
    ),
    Signature(
        key="systemd",
        product="systemd",
        cpe="systemd_project:systemd",
        anchors=(b'"name":"systemd"', b"systemd "),
        version=(
            rb'(?:"name":"systemd","version":"(\d{3}(?:\.\d+)?)'
            rb"|systemd \d{3} \((\d{3}(?:\.\d+)?))"
        ),
        before=0,
    ),
    Signature(
        key="util_linux",
        product="util-linux",
        cpe="kernel:util-linux",
        anchors=(b"util-linux ",),
        version=rb"util-linux (\d+\.\d+(?:\.\d+)?)",
        type=ComponentType.APPLICATION,
    ),
    Signature(
        key="ncurses",
        product="ncurses",
        cpe="gnu:ncurses",
        anchors=(b"ncurses ", b"libncurses", b"libtinfo.so.", b"libformw.so.", b"libmenuw.so."),
        version=rb"ncurses (\d+\.\d+)\.\d{8}",
        # libncursesw, libformw, ... hold no version text (curses_version() is in libtinfo):
        # ncurses names its library files ABI.release (libncursesw.so.6.4 = ncurses 6.4)
        soname=r"lib(?:ncurses|tinfo|form|menu|panel)w?\.so\.[56]$",
        file_version=r"lib(?:ncurses|tinfo|form|menu|panel)w?\.so\.([56]\.\d+)$",
    ),
    Signature(
        key="freertos",
        product="FreeRTOS",
        cpe="amazon:freertos",
        anchors=(b"FreeRTOS",),
        version=rb"FreeRTOS (?:Kernel )?V(\d+\.\d+\.\d+)",
        type=ComponentType.OPERATING_SYSTEM,
    ),
    Signature(
        key="freertos_tcp",
        product="FreeRTOS+TCP",
        cpe="amazon:freertos-plus-tcp",
        anchors=(b"FreeRTOS+TCP",),
        version=rb"FreeRTOS\+TCP V?(\d+\.\d+\.\d+)",
    ),
    Signature(
        key="zephyr",
        product="Zephyr",
        cpe="zephyrproject:zephyr",
        anchors=(b"Zephyr OS",),
        version=rb"Zephyr OS (?:build )?v?(\d+\.\d+\.\d+)",
        type=ComponentType.OPERATING_SYSTEM,
    ),
    Signature(
        key="qnx",
        product="QNX Neutrino RTOS",
        cpe="blackberry:qnx_neutrino_rtos",
        anchors=(b"QNX Neutrino", b"QNX "),
        version=rb"QNX (?:Neutrino )?(?:RTOS )?v?(\d+\.\d+(?:\.\d+)?)\b",
        confidence=0.6,
        type=ComponentType.OPERATING_SYSTEM,
    ),
    Signature(
        key="vxworks",
        product="VxWorks",
        cpe="windriver:vxworks",
        anchors=(b"VxWorks",),
        version=rb"VxWorks[ _]?(?:version )?(\d+\.\d+(?:\.\d+)?)",
        confidence=0.7,
        type=ComponentType.OPERATING_SYSTEM,
    ),
    Signature(
        key="threadx",
        product="ThreadX",
        cpe="microsoft:azure_rtos_threadx",
        anchors=(b"ThreadX ",),
        version=rb"ThreadX [^\x00]{0,40}?Version G?(\d+\.\d+(?:\.\d+)*)",
        type=ComponentType.OPERATING_SYSTEM,
    ),
    Signature(
        key="nucleus",
        product="Nucleus RTOS",
        cpe="siemens:nucleus_rtos",
        anchors=(b"Nucleus PLUS", b"Nucleus RTOS"),
        version=rb"Nucleus (?:PLUS|RTOS)[^\x00]{0,20}?(?:V\.? ?|version )(\d+\.\d+(?:\.\d+)*)",
        type=ComponentType.OPERATING_SYSTEM,
    ),
)
