#!/usr/bin/env python3
"""Closes X11 windows the way a window manager does: a WM_DELETE_WINDOW ClientMessage.

    wm_close.py TITLE    # every top-level window named exactly TITLE that accepts it

Xvfb runs no window manager, and `xdotool windowclose` destroys the X window under the
client (an X kill, not a close the app is asked for). This sends what a window manager's
close button sends: the app sees GTK's delete-event, as when a person closes the window.
Prints one line per window asked to close; exits 1 if there was none. Needs only libX11.
"""

import ctypes
import ctypes.util
import sys

ClientMessage = 33


class XClientMessageEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
    ]


class XEvent(ctypes.Union):
    _fields_ = [("xclient", XClientMessageEvent), ("pad", ctypes.c_long * 24)]


def main(title: str) -> int:
    x = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11") or "libX11.so.6")
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x.XDefaultRootWindow.restype = ctypes.c_ulong
    x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x.XInternAtom.restype = ctypes.c_ulong
    x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x.XQueryTree.argtypes = [
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.POINTER(ctypes.c_ulong),
        ctypes.POINTER(ctypes.c_ulong),
        ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
        ctypes.POINTER(ctypes.c_uint),
    ]
    x.XFetchName.argtypes = [
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.POINTER(ctypes.c_char_p),
    ]
    x.XGetWMProtocols.argtypes = [
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.POINTER(ctypes.POINTER(ctypes.c_ulong)),
        ctypes.POINTER(ctypes.c_int),
    ]
    x.XSendEvent.argtypes = [
        ctypes.c_void_p,
        ctypes.c_ulong,
        ctypes.c_int,
        ctypes.c_long,
        ctypes.POINTER(XEvent),
    ]
    x.XFree.argtypes = [ctypes.c_void_p]
    x.XFlush.argtypes = [ctypes.c_void_p]
    x.XCloseDisplay.argtypes = [ctypes.c_void_p]

    dpy = x.XOpenDisplay(None)
    if not dpy:
        print("wm_close.py: cannot open the display", file=sys.stderr)
        return 2
    wm_protocols = x.XInternAtom(dpy, b"WM_PROTOCOLS", 0)
    wm_delete = x.XInternAtom(dpy, b"WM_DELETE_WINDOW", 0)

    root, parent = ctypes.c_ulong(), ctypes.c_ulong()
    children = ctypes.POINTER(ctypes.c_ulong)()
    count = ctypes.c_uint()
    x.XQueryTree(
        dpy,
        x.XDefaultRootWindow(dpy),
        ctypes.byref(root),
        ctypes.byref(parent),
        ctypes.byref(children),
        ctypes.byref(count),
    )
    closed = 0
    for i in range(count.value):
        win = children[i]
        name = ctypes.c_char_p()
        if not x.XFetchName(dpy, win, ctypes.byref(name)) or name.value is None:
            continue
        named = name.value.decode("utf-8", "replace")
        x.XFree(name)
        if named != title:
            continue
        protocols = ctypes.POINTER(ctypes.c_ulong)()
        n = ctypes.c_int()
        accepts = False
        if x.XGetWMProtocols(dpy, win, ctypes.byref(protocols), ctypes.byref(n)):
            accepts = any(protocols[j] == wm_delete for j in range(n.value))
            x.XFree(protocols)
        if not accepts:
            continue
        ev = XEvent()
        ev.xclient.type = ClientMessage
        ev.xclient.window = win
        ev.xclient.message_type = wm_protocols
        ev.xclient.format = 32
        ev.xclient.data[0] = wm_delete
        ev.xclient.data[1] = 0  # CurrentTime
        x.XSendEvent(dpy, win, 0, 0, ctypes.byref(ev))
        print(f"asked window 0x{win:x} ({named}) to close")
        closed += 1
    if children:
        x.XFree(children)
    x.XFlush(dpy)
    x.XCloseDisplay(dpy)
    return 0 if closed else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
