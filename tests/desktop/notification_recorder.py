#!/usr/bin/env python3
"""A notification daemon for tests: it shows nothing and records everything.

It owns org.freedesktop.Notifications on the session bus and appends one JSON line per
Notify call to $DOORPOST_NOTIFY_LOG, with the exact arguments the client sent:

    {"id": 1, "app_name": "Doorpost", "replaces_id": 0, "app_icon": "/path/icon.png",
     "summary": "...", "body": "...", "actions": ["default", "Open"],
     "hints": ["urgency", ...], "hint_values": {"urgency": 1, "desktop-entry": "..."},
     "expire_timeout": -1, "sender": ":1.7"}

hint_values holds the hints whose values are strings, numbers or booleans (image data is
left out).

It advertises the capabilities of a markup-rendering server (body, body-markup, actions,
icon-static), so clients that escape only when they must are tested on the strict path.

Tests "click" a notification through an extra interface on the same object:

    dbus-send --session --print-reply --dest=org.freedesktop.Notifications \
      /org/freedesktop/Notifications co.doorpost.Test.Invoke uint32:ID string:default

emits ActionInvoked(ID, "default"); co.doorpost.Test.Close(ID, REASON) emits
NotificationClosed. Both are broadcast, as GNOME Shell, Plasma and dunst do.

Usage: notification_recorder.py READY_FILE  (the file is created once the name is owned)
"""

import json
import os
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
IFACE = "org.freedesktop.Notifications"
TEST_IFACE = "co.doorpost.Test"
CAPABILITIES = ["body", "body-markup", "actions", "icon-static"]


def plain(value):
    """A D-Bus hint value as JSON can hold it, or None for arrays and structs."""
    if isinstance(value, dbus.Boolean):
        return bool(value)
    if isinstance(value, (dbus.Byte, dbus.Int16, dbus.UInt16, dbus.Int32, dbus.UInt32,
                          dbus.Int64, dbus.UInt64)):
        return int(value)
    if isinstance(value, (dbus.String, dbus.ObjectPath)):
        return str(value)
    return None


class Recorder(dbus.service.Object):
    def __init__(self, bus, log_path):
        super().__init__(bus, PATH)
        self.log_path = log_path
        self.next_id = 1

    @dbus.service.method(IFACE, in_signature="susssasa{sv}i", out_signature="u",
                         sender_keyword="sender")
    def Notify(self, app_name, replaces_id, app_icon, summary, body, actions, hints,
               expire_timeout, sender=None):
        if replaces_id:
            nid = int(replaces_id)
        else:
            nid = self.next_id
            self.next_id += 1
        record = {
            "id": nid,
            "app_name": str(app_name),
            "replaces_id": int(replaces_id),
            "app_icon": str(app_icon),
            "summary": str(summary),
            "body": str(body),
            "actions": [str(a) for a in actions],
            "hints": sorted(str(k) for k in hints.keys()),
            "hint_values": {str(k): plain(v) for k, v in hints.items() if plain(v) is not None},
            "expire_timeout": int(expire_timeout),
            "sender": str(sender),
        }
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
            f.flush()
            os.fsync(f.fileno())
        return dbus.UInt32(nid)

    @dbus.service.method(IFACE, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return dbus.Array(CAPABILITIES, signature="s")

    @dbus.service.method(IFACE, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("doorpost-notification-recorder", "Doorpost tests", "1.0", "1.2")

    @dbus.service.method(IFACE, in_signature="u", out_signature="")
    def CloseNotification(self, nid):
        self.NotificationClosed(nid, dbus.UInt32(3))

    @dbus.service.signal(IFACE, signature="uu")
    def NotificationClosed(self, nid, reason):
        pass

    @dbus.service.signal(IFACE, signature="us")
    def ActionInvoked(self, nid, action_key):
        pass

    @dbus.service.method(TEST_IFACE, in_signature="us", out_signature="")
    def Invoke(self, nid, action_key):
        self.ActionInvoked(dbus.UInt32(nid), action_key)

    @dbus.service.method(TEST_IFACE, in_signature="uu", out_signature="")
    def Close(self, nid, reason):
        self.NotificationClosed(dbus.UInt32(nid), dbus.UInt32(reason))


def main():
    log_path = os.environ["DOORPOST_NOTIFY_LOG"]
    ready_file = sys.argv[1] if len(sys.argv) > 1 else None
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    reply = bus.request_name(NAME, dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
    if reply not in (dbus.bus.REQUEST_NAME_REPLY_PRIMARY_OWNER,
                     dbus.bus.REQUEST_NAME_REPLY_ALREADY_OWNER):
        sys.exit(f"notification_recorder: {NAME} is already owned by another process")
    recorder = Recorder(bus, log_path)  # noqa: F841  (kept alive by the main loop)
    open(log_path, "a").close()
    if ready_file:
        open(ready_file, "w").close()
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
