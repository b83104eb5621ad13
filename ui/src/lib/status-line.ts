// The one-line answer to "is Doorpost watching?" shown in the header and beside each place,
// from a StatusView, in the language in effect.

import type { StatusView } from '../ipc/backend';
import type { Messages } from '../i18n/en';
import type { Format } from './format';

export type StatusTone = 'ok' | 'busy' | 'paused' | 'problem';

export interface StatusLine {
  text: string;
  tone: StatusTone;
}

export function statusLine(s: StatusView, now: number, t: Messages, fmt: Format): StatusLine {
  // Once the host has been told Doorpost cannot check, the header says so until it can.
  if (s.cantCheckSince !== null) {
    const blind = t.status.cantCheckSince(fmt.whenInline(s.cantCheckSince, now));
    return { text: s.phase === 'authRejected' ? `${t.status.tokenRejected} · ${blind}` : blind, tone: 'problem' };
  }
  switch (s.phase) {
    case 'authRejected':
      return { text: t.status.tokenRejected, tone: 'problem' };
    case 'degraded':
      return { text: t.status.cantReach, tone: 'problem' };
    case 'redirected':
      return { text: t.status.redirected, tone: 'problem' };
    case 'notConfigured':
      return { text: t.status.notSetUp, tone: 'problem' };
    case 'checking':
      return { text: t.status.checking, tone: 'busy' };
    case 'paused':
      return {
        text: s.pausedUntil === null ? t.status.paused : t.status.pausedUntil(fmt.whenInline(s.pausedUntil, now)),
        tone: 'paused',
      };
    case 'idle':
      if (s.lastCheck === null) return { text: t.status.notCheckedYet, tone: 'busy' };
      return { text: t.status.checked(fmt.relative(s.lastCheck, now)), tone: 'ok' };
  }
}
