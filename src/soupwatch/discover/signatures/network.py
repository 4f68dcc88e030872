"""Signatures of network daemons, servers and protocol libraries."""

from __future__ import annotations

from soupwatch.discover.signatures.model import Signature
from soupwatch.model import ComponentType

APP = ComponentType.APPLICATION

_W1_VERSION_STR = rb"\x00([0-2]\.\d{1,2}(?:\.\d{1,2})?)\x00"
"""hostap's ``VERSION_STR`` as a string of its own (0.5 ... 2.11)."""

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        key="bluez",
        product="BlueZ",
        cpe="bluez:bluez",
        anchors=(b"BlueZ ", b"libbluetooth.so.3"),
        version=rb"(?:\x00(\d+\.\d+)\x00+BlueZ %s|BlueZ (\d+\.\d+)\b)",
        before=24,
        confidence=0.8,
        # libbluetooth holds no version text: its file name, from the release table
        soname=r"libbluetooth\.so\.3$",
    ),
    Signature(
        key="wpa_supplicant",
        product="wpa_supplicant",
        cpe="w1.fi:wpa_supplicant",
        anchors=(b"wpa_supplicant v",),
        # "v%s" with VERSION_STR just before it (distribution builds), or the text itself
        version=rb"(?:\x00(\d+\.\d+(?:\.\d+)?)\x00+wpa_supplicant v%s"
        rb"|wpa_supplicant v(\d+\.\d+(?:\.\d+)?))",
        before=24,
        lone=_W1_VERSION_STR,
        type=APP,
    ),
    Signature(
        key="hostapd",
        product="hostapd",
        cpe="w1.fi:hostapd",
        anchors=(b"hostapd v",),
        version=rb"(?:\x00(\d+\.\d+(?:\.\d+)?)\x00+hostapd v%s|hostapd v(\d+\.\d+(?:\.\d+)?))",
        before=24,
        lone=_W1_VERSION_STR,
        type=APP,
    ),
    Signature(
        key="dnsmasq",
        product="dnsmasq",
        cpe="thekelleys:dnsmasq",
        anchors=(b"dnsmasq-",),
        version=rb"dnsmasq-(\d+\.\d+(?:\.\d+)?)\x00",
        type=APP,
    ),
    Signature(
        key="avahi",
        product="Avahi",
        cpe="avahi:avahi",
        anchors=(b" starting up.",),
        version=rb"STATUS=%s (\d+\.\d+(?:\.\d+)?) starting up",
    ),
    Signature(
        key="mosquitto",
        product="Eclipse Mosquitto",
        cpe="eclipse:mosquitto",
        anchors=(b"mosquitto version ", b"libmosquitto.so.1"),
        version=(
            rb"(?:\x00(\d+\.\d+\.\d+)\x00+mosquitto version %s"
            rb"|mosquitto version (\d+\.\d+\.\d+))"
        ),
        before=24,
        soname=r"libmosquitto\.so\.1$",
        file_version=r"libmosquitto\.so\.(\d+\.\d+\.\d+)$",
    ),
    Signature(
        key="nginx",
        product="nginx",
        cpe="f5:nginx",
        anchors=(b"nginx/",),
        version=rb"nginx/(\d+\.\d+\.\d+)",
        type=APP,
    ),
    Signature(
        key="lighttpd",
        product="lighttpd",
        cpe="lighttpd:lighttpd",
        anchors=(b"lighttpd/",),
        version=rb"lighttpd/(\d+\.\d+\.\d+)",
        type=APP,
    ),
    Signature(
        key="apache_httpd",
        product="Apache HTTP Server",
        cpe="apache:http_server",
        anchors=(b"Apache/2.",),
        version=rb"Apache/(2\.\d+\.\d+)",
        context=(b"DocumentRoot", b"ServerRoot"),
        type=APP,
    ),
    Signature(
        key="civetweb",
        product="CivetWeb",
        cpe="civetweb_project:civetweb",
        anchors=(b"CivetWeb",),
        version=rb"CivetWeb(?: V|/| v)(\d+\.\d+(?:\.\d+)?)",
        # mg_version() returns CIVETWEB_VERSION (Mongoose's mg_version has no CivetWeb text)
        functions=(("mg_version", "string"),),
    ),
    Signature(
        key="libmicrohttpd",
        product="GNU libmicrohttpd",
        cpe="gnu:libmicrohttpd",
        anchors=(b"MHD-worker\x00", b"libmicrohttpd.so.12"),
        version=rb"MHD-worker\x00(\d+\.\d+\.\d+)\x00",
        functions=(("MHD_get_version", "string"),),
        soname=r"libmicrohttpd\.so\.\d+$",
    ),
    Signature(
        key="libwebsockets",
        product="libwebsockets",
        cpe="libwebsockets:libwebsockets",
        anchors=(b"libwebsockets",),
        version=rb"libwebsockets[ -]v?(\d+\.\d+\.\d+)",
        functions=(("lws_get_library_version", "string"),),
        soname=r"libwebsockets\.so\.\d+$",
    ),
    Signature(
        key="curl",
        product="curl",
        cpe="haxx:curl",
        anchors=(b"curl/", b"libcurl.so.4", b"libcurl-gnutls.so.4"),
        version=rb"curl/(\d+\.\d+\.\d+)",
        # libcurl and the curl tool build "libcurl/VERSION"; cmake's "curl/7.86.0" user agent
        # is the compile-time header version of a libcurl it links dynamically
        context=(b"libcurl/",),
        soname=r"libcurl(?:-gnutls)?\.so\.4$",
    ),
    Signature(
        key="nghttp2",
        product="nghttp2",
        cpe="nghttp2:nghttp2",
        anchors=(b"libnghttp2.so.14", b"nghttp2/"),
        version=rb"nghttp2/(\d+\.\d+\.\d+)",
        functions=(("nghttp2_version", "struct-hex-4"),),
        soname=r"libnghttp2\.so\.\d+$",
    ),
    Signature(
        key="libcoap",
        product="libcoap",
        cpe="libcoap:libcoap",
        anchors=(b"libcoap",),
        version=rb"libcoap[ /v-]{1,3}(\d+\.\d+\.\d+)",
        functions=(("coap_package_version", "string"),),
        soname=r"libcoap-\d(?:-\w+)?\.so\.\d+$",
    ),
    Signature(
        key="paho_mqtt_c",
        product="Eclipse Paho MQTT C",
        cpe="eclipse:paho_mqtt_c_client",
        anchors=(b"Eclipse Paho", b"libpaho-mqtt3", b"V3_Version "),
        # MQTTClient_getVersionInfo's table ("Product name", the name, "Version", the version)
        # and the MQTTClientV3_Version / MQTTAsyncV3_Version trace text
        version=rb"Eclipse Paho[^\x00]{0,60}?(?:\x00+Version\x00+)?(\d+\.\d+\.\d+)"
        rb"|MQTT(?:Client|Async)V3_Version (\d+\.\d+\.\d+)",
        versionless=True,
        confidence=0.7,
        soname=r"libpaho-mqtt3(?:a|as|c|cs)\.so\.1$",
        file_version=r"libpaho-mqtt3(?:a|as|c|cs)\.so\.(\d+\.\d+\.\d+)$",
    ),
    Signature(
        key="net_snmp",
        product="Net-SNMP",
        cpe="net-snmp:net-snmp",
        anchors=(b"NET-SNMP",),
        version=rb"NET-SNMP[ /-]?(?:version:? )?(\d+\.\d+(?:\.\d+){0,2})",
        functions=(("netsnmp_get_version", "string"),),
    ),
    Signature(
        key="libpcap",
        product="libpcap",
        cpe="tcpdump:libpcap",
        anchors=(b"libpcap version ",),
        version=rb"libpcap version (\d+\.\d+\.\d+)",
    ),
    Signature(
        key="libmodbus",
        product="libmodbus",
        cpe="libmodbus:libmodbus",
        anchors=(b"libmodbus",),
        version=rb"libmodbus[ /v-]{1,3}(\d+\.\d+\.\d+)",
        # the exported const ints libmodbus_version_{major,minor,micro}, any machine
        functions=(("libmodbus_version_major", "triple"),),
        verdef=r"LMB(\d+)\.(\d+)\.(\d+)",
        soname=r"libmodbus\.so\.5$",
    ),
    Signature(
        key="zeromq",
        product="ZeroMQ",
        cpe="zeromq:libzmq",
        anchors=(b"libzmq.so.5",),
        version=rb"ZeroMQ (\d+\.\d+\.\d+)",
        # zmq_version() writes major, minor and patch through its three pointers
        functions=(("zmq_version", "out-triple"),),
        soname=r"libzmq\.so\.5$",
    ),
    Signature(
        key="nanomsg",
        product="nanomsg",
        cpe="nanomsg:nanomsg",
        anchors=(b"libnanomsg.so.5",),
        version=rb"nanomsg (\d+\.\d+\.\d+)",
        soname=r"libnanomsg\.so\.5$",
    ),
    Signature(
        key="lwip",
        product="lwIP",
        cpe="lwip_project:lwip",
        anchors=(b"lwIP",),
        version=rb"lwIP[ /v-]{1,3}(\d+\.\d+\.\d+)",
    ),
    Signature(
        key="treck",
        product="Treck TCP/IP",
        cpe="treck:tcp\\/ip",
        anchors=(b"Treck",),
        version=rb"Treck[ ,][^\x00]{0,40}?(\d+\.\d+\.\d+\.\d+)",
    ),
    Signature(
        key="librdkafka",
        product="librdkafka",
        cpe="confluent:librdkafka",
        anchors=(b"librdkafka.so.1",),
        version=rb"librdkafka/(\d+\.\d+\.\d+)",
        # rd_kafka_version() returns RD_KAFKA_VERSION (0x020002ff = 2.0.2)
        functions=(("rd_kafka_version", "rdkafka"),),
        soname=r"librdkafka\.so\.\d+$",
    ),
)
