// Words for what a token check found, shared by the first run, the settings and places.

import type { TokenCheck } from '../ipc/backend';
import type { Messages } from '../i18n/en';

/** How Parakey accepted the token, for the technical details: "the access-token header". */
export function authStyleLabel(style: string, t: Messages): string {
  if (style === 'access-token') return t.statusPage.authAccessToken;
  if (style === 'bearer') return t.statusPage.authBearer;
  return style;
}

/** "Connected. Found 5 doors and 62 recent unlocks." */
export function describeCheck(c: TokenCheck, t: Messages): string {
  return t.token.connected(c.doorsSeen, c.eventsSeen);
}
