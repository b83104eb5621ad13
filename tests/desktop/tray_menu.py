#!/usr/bin/env python3
"""Reads and clicks the app's tray menu over D-Bus, as a tray host would.

    tray_menu.py layout          prints the menu as JSON lines: {"id", "label", "enabled"}
    tray_menu.py click LABEL     activates the first item whose label starts with LABEL

The item is the last one registered in $DOORPOST_TRAY_LOG (see
status_notifier_watcher.py); its `Menu` property names the com.canonical.dbusmenu object.
"""

import json
import os
import sys
import time

import dbus


def item():
    with open(os.environ["DOORPOST_TRAY_LOG"], encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    registered = [r for r in records if r.get("event") == "registered"]
    if not registered:
        sys.exit("no tray item registered")
    return registered[-1]


def menu(bus):
    rec = item()
    obj = bus.get_object(rec["bus_name"], rec["object_path"])
    path = obj.Get("org.kde.StatusNotifierItem", "Menu",
                   dbus_interface="org.freedesktop.DBus.Properties")
    return dbus.Interface(bus.get_object(rec["bus_name"], path), "com.canonical.dbusmenu")


def walk(node, out):
    ident, props, children = node
    label = str(props.get("label", "")).replace("_", "")
    if label or props.get("type") == "separator":
        out.append({"id": int(ident), "label": label,
                    "enabled": bool(props.get("enabled", True)),
                    "separator": props.get("type") == "separator"})
    for child in children:
        walk(child, out)


def layout(bus):
    _rev, root = menu(bus).GetLayout(0, -1, dbus.Array([], signature="s"))
    out = []
    walk(root, out)
    return out


def main():
    bus = dbus.SessionBus()
    if sys.argv[1:2] == ["layout"]:
        for entry in layout(bus):
            print(json.dumps(entry, ensure_ascii=False))
    elif sys.argv[1:2] == ["click"] and len(sys.argv) == 3:
        target = sys.argv[2]
        # The app rebuilds its menu after every change, which renumbers the items: a click
        # between reading the layout and sending the event can name a stale id. Read again.
        for _attempt in range(20):
            for entry in layout(bus):
                if entry["label"].startswith(target) and not entry["separator"]:
                    try:
                        menu(bus).Event(entry["id"], "clicked",
                                        dbus.Int32(0, variant_level=1),
                                        dbus.UInt32(int(time.time())))
                    except dbus.exceptions.DBusException:
                        break
                    print(json.dumps(entry, ensure_ascii=False))
                    return
            else:
                sys.exit(f"no menu item starts with {target!r}")
            time.sleep(0.1)
        sys.exit(f"the menu kept changing under {target!r}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
