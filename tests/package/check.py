#!/usr/bin/env python3
"""The package test's checks that need D-Bus or the desktop session's logs (see
tests/desktop/session.sh); each waits for what it expects, prints it, and exits 1 if it
never came.

    check.py tray PID           a tray item registered by process PID
    check.py toast PID APP_ID   a notification from process PID carrying the hints
                                desktop-entry=APP_ID, a category and an urgency
"""

import json
import os
import sys
import time

import dbus


def records(env):
    try:
        with open(os.environ[env], encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def owner_pid(bus, name, cache={}):
    if name not in cache:
        try:
            dbus_obj = bus.get_object("org.freedesktop.DBus", "/org/freedesktop/DBus")
            cache[name] = int(dbus_obj.GetConnectionUnixProcessID(
                name, dbus_interface="org.freedesktop.DBus"))
        except dbus.exceptions.DBusException:
            return None  # gone: not asked again, not cached
    return cache[name]


def wait_for(what, find, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = find()
        if found is not None:
            print(json.dumps(found))
            return found
        time.sleep(0.25)
    sys.exit(f"check.py: no {what} within {seconds} s")


def main():
    bus = dbus.SessionBus()
    what, pid = sys.argv[1], int(sys.argv[2])
    if what == "tray":
        wait_for("tray item registered by the app", lambda: next(
            (r for r in records("DOORPOST_TRAY_LOG")
             if r.get("event") == "registered" and owner_pid(bus, r["bus_name"]) == pid),
            None), 40)
    elif what == "toast":
        app_id = sys.argv[3]
        toast = wait_for("notification from the app", lambda: next(
            (r for r in records("DOORPOST_NOTIFY_LOG")
             if owner_pid(bus, r["sender"]) == pid), None), 90)
        hints = toast.get("hint_values", {})
        if hints.get("desktop-entry") != app_id:
            sys.exit(f"check.py: desktop-entry hint is {hints.get('desktop-entry')!r}, not {app_id!r}")
        for hint in ("category", "urgency"):
            if hint not in hints:
                sys.exit(f"check.py: the notification has no {hint} hint: {hints}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
