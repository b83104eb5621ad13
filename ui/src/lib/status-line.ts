// The one-line answer to "is Doorpost watching?" shown in the header, from a StatusView.

import type { StatusView } from '../ipc/backend';
import { formatClock, formatRelative, formatWhen, sameLocalDay } from './time';

export type StatusTone = 'ok' | 'busy' | 'paused' | 'problem';

export interface StatusLine {
  text: string;
  tone: StatusTone;
}

export function statusLine(s: StatusView, now: number): StatusLine {
  switch (s.phase) {
    case 'authRejected':
      return { text: 'Token rejected', tone: 'problem' };
    case 'degraded':
      return { text: "Can't reach Parakey", tone: 'problem' };
    case 'notConfigured':
      return { text: 'Not set up', tone: 'problem' };
    case 'checking':
      return { text: 'Checking…', tone: 'busy' };
    case 'paused':
      if (s.pausedUntil === null) return { text: 'Paused', tone: 'paused' };
      return {
        text: `Paused until ${sameLocalDay(s.pausedUntil, now) ? formatClock(s.pausedUntil) : formatWhen(s.pausedUntil, now)}`,
        tone: 'paused',
      };
    case 'idle':
      if (s.lastCheck === null) return { text: 'Not checked yet', tone: 'busy' };
      return { text: `Checked ${formatRelative(s.lastCheck, now)}`, tone: 'ok' };
  }
}
