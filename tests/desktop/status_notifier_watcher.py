#!/usr/bin/env python3
"""A StatusNotifierWatcher stand-in, so a tray icon can register in a headless session.

It owns org.kde.StatusNotifierWatcher, says a host is registered (libayatana-appindicator
falls back to an invisible XEmbed icon otherwise), and appends one JSON line per event to
$DOORPOST_TRAY_LOG:

    {"event": "registered", "service": "/org/ayatana/NotificationItem/doorpost",
     "bus_name": ":1.9", "object_path": "/org/ayatana/NotificationItem/doorpost"}
    {"event": "unregistered", "bus_name": ":1.9", ...}   (when the item's owner leaves)

A test reads bus_name and object_path from the log, reads the item's `Menu` property
(org.kde.StatusNotifierItem) for the dbusmenu path, and drives the menu with
com.canonical.dbusmenu GetLayout and Event(id, "clicked", <0>, 0).

Usage: status_notifier_watcher.py READY_FILE  (the file is created once the name is owned)
"""

import json
import os
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NAME = "org.kde.StatusNotifierWatcher"
PATH = "/StatusNotifierWatcher"
IFACE = "org.kde.StatusNotifierWatcher"
PROPS = "org.freedesktop.DBus.Properties"


class Watcher(dbus.service.Object):
    def __init__(self, bus, log_path):
        super().__init__(bus, PATH)
        self.bus = bus
        self.log_path = log_path
        self.items = {}  # "bus_name/object_path" -> record
        bus.add_signal_receiver(self.on_name_owner_changed, "NameOwnerChanged",
                                "org.freedesktop.DBus", "org.freedesktop.DBus",
                                "/org/freedesktop/DBus")

    def log(self, record):
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
            f.flush()
            os.fsync(f.fileno())

    @dbus.service.method(IFACE, in_signature="s", out_signature="", sender_keyword="sender")
    def RegisterStatusNotifierItem(self, service, sender=None):
        # Ayatana passes its object path; KDE-style clients pass a bus name.
        if str(service).startswith("/"):
            bus_name, object_path = str(sender), str(service)
        else:
            bus_name, object_path = str(service), "/StatusNotifierItem"
        key = bus_name + object_path
        record = {"event": "registered", "service": str(service), "sender": str(sender),
                  "bus_name": bus_name, "object_path": object_path}
        self.items[key] = record
        self.log(record)
        self.StatusNotifierItemRegistered(key)

    @dbus.service.method(IFACE, in_signature="s", out_signature="")
    def RegisterStatusNotifierHost(self, service):
        self.StatusNotifierHostRegistered()

    @dbus.service.signal(IFACE, signature="s")
    def StatusNotifierItemRegistered(self, service):
        pass

    @dbus.service.signal(IFACE, signature="s")
    def StatusNotifierItemUnregistered(self, service):
        pass

    @dbus.service.signal(IFACE, signature="")
    def StatusNotifierHostRegistered(self):
        pass

    def on_name_owner_changed(self, name, old_owner, new_owner):
        if new_owner:
            return
        for key, record in list(self.items.items()):
            if record["bus_name"] in (name, old_owner):
                del self.items[key]
                self.log(dict(record, event="unregistered"))
                self.StatusNotifierItemUnregistered(key)

    def properties(self):
        return {
            "RegisteredStatusNotifierItems": dbus.Array(list(self.items), signature="s"),
            "IsStatusNotifierHostRegistered": dbus.Boolean(True),
            "ProtocolVersion": dbus.Int32(0),
        }

    @dbus.service.method(PROPS, in_signature="ss", out_signature="v")
    def Get(self, interface, prop):
        props = self.properties()
        if interface != IFACE or prop not in props:
            raise dbus.exceptions.DBusException(
                f"no property {interface}.{prop}",
                name="org.freedesktop.DBus.Error.UnknownProperty")
        return props[prop]

    @dbus.service.method(PROPS, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return self.properties() if interface == IFACE else {}

    @dbus.service.method(PROPS, in_signature="ssv", out_signature="")
    def Set(self, interface, prop, value):
        raise dbus.exceptions.DBusException(
            f"{interface}.{prop} is read-only",
            name="org.freedesktop.DBus.Error.PropertyReadOnly")


def main():
    log_path = os.environ["DOORPOST_TRAY_LOG"]
    ready_file = sys.argv[1] if len(sys.argv) > 1 else None
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    reply = bus.request_name(NAME, dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
    if reply not in (dbus.bus.REQUEST_NAME_REPLY_PRIMARY_OWNER,
                     dbus.bus.REQUEST_NAME_REPLY_ALREADY_OWNER):
        sys.exit(f"status_notifier_watcher: {NAME} is already owned by another process")
    watcher = Watcher(bus, log_path)  # noqa: F841  (kept alive by the main loop)
    open(log_path, "a").close()
    if ready_file:
        open(ready_file, "w").close()
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
