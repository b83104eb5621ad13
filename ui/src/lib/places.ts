// Doors and unlocks grouped by place, and names that say which place a door is at when
// there are several ("Harbour Loft · Front door"); with one place, the door name alone.

import type { DoorView } from '../ipc/backend';

export interface DoorGroup {
  placeId: string | null;
  placeName: string | null;
  doors: DoorView[];
}

/** Doors in their places' order of first appearance, each place's doors in list order. */
export function groupDoors(doors: DoorView[]): DoorGroup[] {
  const groups = new Map<string, DoorGroup>();
  for (const door of doors) {
    const key = door.placeId ?? '';
    let group = groups.get(key);
    if (!group) {
      group = { placeId: door.placeId, placeName: door.placeName, doors: [] };
      groups.set(key, group);
    }
    group.doors.push(door);
  }
  return [...groups.values()];
}

/** Whether the doors belong to more than one place (so names need their place). */
export function severalPlaces(doors: { placeId: string | null }[]): boolean {
  return new Set(doors.map((d) => d.placeId)).size > 1;
}

/** "Harbour Loft · Front door" when `withPlace`, else "Front door". */
export function doorLabel(door: string, placeName: string | null, withPlace: boolean): string {
  return withPlace && placeName ? `${placeName} · ${door}` : door;
}

/**
 * Whether Doorpost will talk to `text` (a Parakey address or a booking calendar's link):
 * https anywhere, plain http only to this computer (the shell's rule, so that a simulated
 * Parakey or feed server on loopback works and nothing else goes out unencrypted).
 */
export function addressOk(text: string): boolean {
  try {
    const url = new URL(text);
    if (url.protocol === 'https:') return url.hostname !== '';
    return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}
