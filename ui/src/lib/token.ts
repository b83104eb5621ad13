// Words for what a token check found, shared by the first run and the settings.

import type { TokenCheck } from '../ipc/backend';
import { formatCount } from './time';

/** How Parakey accepted the token, in words: "the access-token header". */
export function authStyleLabel(style: string): string {
  if (style === 'access-token') return 'the access-token header';
  if (style === 'bearer') return 'an Authorization: Bearer header';
  return style;
}

export function describeCheck(c: TokenCheck): string {
  const doors = `${formatCount(c.doorsSeen)} ${c.doorsSeen === 1 ? 'door' : 'doors'}`;
  const events = `${formatCount(c.eventsSeen)} ${c.eventsSeen === 1 ? 'unlock' : 'unlocks'}`;
  return `Parakey accepted the token (sent as ${authStyleLabel(c.authStyle)}). It sees ${doors} and ${events}.`;
}

export const TOKEN_SOURCE = 'Find it in the Parakey app under Settings → Integrations.';
