// English: the reference catalogue. Its shape is the `Messages` type every other language
// must match key for key (a missing or extra key in nb.ts is a type error, and
// tests/i18n.test.ts checks the same at run time). Entries that take values are functions;
// counts go through `n.count` (digit grouping) and `n.plural` (the language's plural rules).
// Names from Parakey are passed in as values and rendered as text, never as markup.

import type { Numbers } from '../lib/format';

export function en(n: Numbers) {
  const count = (x: number, one: string, other: string) => `${n.count(x)} ${n.plural(x, { one, other })}`;
  const unlocks = (x: number) => count(x, 'unlock', 'unlocks');
  const tokenSource = 'Find it in the Parakey app under Settings → Integrations.';

  return {
    common: {
      opening: 'Opening Doorpost…',
      tryAgain: 'Try again',
      someone: 'Someone',
      cancel: 'Cancel',
      dismiss: 'Dismiss message',
      keepIt: 'Keep it',
      unlocks,
    },

    time: {
      today: 'Today',
      yesterday: 'Yesterday',
      tomorrow: 'Tomorrow',
      yesterdayInline: 'yesterday',
      tomorrowInline: 'tomorrow',
      justNow: 'just now',
      minutes: (x: number) => `${n.count(x)} min`,
      hours: (x: number) => `${n.count(x)} hr`,
      days: (x: number) => count(x, 'day', 'days'),
      minutesLong: (x: number) => count(x, 'minute', 'minutes'),
      hoursLong: (x: number) => count(x, 'hour', 'hours'),
      daysLong: (x: number) => count(x, 'day', 'days'),
    },

    tabs: {
      label: 'Sections',
      history: 'History',
      settings: 'Settings',
      status: 'Status',
      unsaved: 'unsaved changes',
    },

    status: {
      tokenRejected: 'Token rejected',
      cantReach: "Can't reach Parakey",
      redirected: "Parakey's address moved: check the API address",
      cantCheckSince: (when: string) => `Can't check since ${when}`,
      notSetUp: 'Not set up',
      checking: 'Checking…',
      notCheckedYet: 'Not checked yet',
      checked: (relative: string) => `Checked ${relative}`,
      paused: 'Notifications paused',
      pausedUntil: (when: string) => `Notifications paused until ${when}`,
      quietUntil: (when: string) => `Quiet until ${when}`,
    },

    header: {
      demo: 'Demo',
      demoTitle: 'Sample data from a simulated Parakey account',
      leaveDemo: 'Leave demo',
      checkNow: 'Check now',
      resumed: 'Notifications are on again.',
      pausedHour: 'Notifications paused for an hour. Doorpost keeps checking and keeps the history.',
      pausedUntil: (when: string) =>
        `Notifications paused until ${when}. Doorpost keeps checking and keeps the history.`,
      pausedIndefinitely: 'Notifications paused until you resume them. Doorpost keeps checking and keeps the history.',
    },

    pause: {
      trigger: 'Pause notifications',
      triggerPaused: 'Notifications paused',
      menu: 'Pause notifications',
      resumeUntil: (when: string) => `Resume (paused until ${when})`,
      resume: 'Resume notifications',
      oneHour: 'For 1 hour',
      untilTomorrow: (time: string) => `Until ${time} tomorrow`,
      untilThisMorning: (time: string) => `Until ${time} this morning`,
      indefinitely: 'Until I resume',
    },

    banner: {
      rejected: 'Parakey rejected the token, so Doorpost has stopped checking. Replace it to start again.',
      rejectedPlace: (place: string) =>
        `Parakey rejected the token for ${place}, so Doorpost has stopped checking it. Replace it to start again.`,
      replace: 'Replace token',
      replaceFor: (place: string) => `Replace token for ${place}`,
    },

    firstRun: {
      title: 'Welcome to Doorpost',
      intro: 'Doorpost tells you within minutes when someone unlocks one of your Parakey doors, and keeps a searchable history.',
      tokenLabel: 'Parakey integration token',
      tokenHelp: `${tokenSource} It is stored in your system keychain, never in a file.`,
      pasteFirst: 'Paste your Parakey token first.',
      checking: 'Checking…',
      check: 'Check token',
      or: 'or',
      tryDemo: 'Try the demo',
      doorsHint: "You can change this later in Settings. Every door's unlocks are kept in the history.",
      autostart: 'Start Doorpost when I log in',
      tray: 'Closing this window keeps Doorpost watching from the tray; quit it from the tray menu.',
      done: 'Done',
    },

    testNotification: {
      button: 'Send a test notification',
      sending: 'Sending…',
      sent: 'Sent. If no notification appeared, check that notifications are allowed for Doorpost in your system settings.',
    },

    token: {
      source: tokenSource,
      placeholder: 'Paste the token here',
      show: 'Show',
      hide: 'Hide',
      showLabel: 'Show token',
      hideLabel: 'Hide token',
      connected: (doors: number, events: number) =>
        `Connected. Found ${count(doors, 'door', 'doors')} and ${count(events, 'recent unlock', 'recent unlocks')}.`,
    },

    tokenSettings: {
      title: 'Parakey token',
      saved: 'A token is saved in your keychain.',
      rejected: 'Parakey rejected the saved token. Paste a new one to start checking again.',
      demo: "You're watching the demo. Paste a token to watch your own doors.",
      none: 'No token is saved.',
      replaceLabel: 'Replace the token',
      label: 'Integration token',
      help: `${tokenSource} Doorpost checks it with Parakey before saving it.`,
      pasteFirst: 'Paste a token first.',
      checking: 'Checking…',
      replace: 'Replace token',
      save: 'Save token',
      clear: 'Clear token',
      clearConfirm: 'Remove the token from your keychain? Doorpost stops checking until you add one.',
      remove: 'Remove token',
      removed: 'Token removed from your keychain.',
      savedResult: (connected: string) => `${connected} The new token is in your keychain.`,
    },

    places: {
      title: 'Places',
      intro: 'Each place is a Parakey account with its own token. Door names show which place they belong to.',
      addAnother: 'Add another place',
      tokenSaved: 'Token saved',
      noToken: 'No token',
      rename: 'Rename',
      nameLabel: 'Name',
      saveName: 'Save name',
      renamed: (name: string) => `Renamed to ${name}.`,
      notify: 'Notify about',
      notifyDefault: (mode: string) => `Default (${mode.toLowerCase()})`,
      replaceToken: 'Replace token',
      tokenFor: (place: string) => `New token for ${place}`,
      checkAndSave: 'Check and save',
      tokenReplaced: (place: string, connected: string) => `${place}: ${connected}`,
      remove: 'Remove…',
      removeTitle: (place: string) => `Remove ${place}?`,
      removeBody: 'Doorpost stops watching its doors and deletes its token from your keychain.',
      deleteHistory: (events: number) => `Also delete its history (${unlocks(events)})`,
      removeConfirm: 'Remove place',
      removed: (place: string) => `${place} removed.`,
      removedWithHistory: (place: string) => `${place} and its history removed.`,
    },

    addPlace: {
      title: 'Add a place',
      name: 'Name',
      nameHint: 'What you call it, such as “Harbour Loft”. It is shown next to its door names.',
      token: 'Parakey integration token',
      tokenHelp: `Each place has its own token. ${tokenSource}`,
      advanced: 'Advanced',
      apiUrl: 'API address (optional)',
      apiUrlHint: "Leave empty to use Parakey's own address. Only for testing against a simulated Parakey.",
      submit: 'Add place',
      checking: 'Checking…',
      added: (place: string) => `${place} added. Doorpost is loading its history.`,
      nameRequired: 'Give the place a name.',
      nameTaken: 'Another place already has this name.',
      tokenRequired: "Paste the place's token.",
      apiUrlInvalid: 'Use an address starting with https:// (http:// only to this computer).',
    },

    settings: {
      title: 'Settings',
      unsaved: 'Unsaved changes',
      discard: 'Discard',
      save: 'Save',
      saving: 'Saving…',
      saved: 'Settings saved.',
      nothingSaved: 'Nothing was saved. Fix the fields marked below.',
    },

    notifications: {
      title: 'Notifications',
      enabled: 'Notify me when a watched door is unlocked',
      modeLegend: 'Notify about',
      every: 'Every unlock',
      everyHint: 'A notification for each unlock at a watched door.',
      arrivals: 'Arrivals only',
      arrivalsHint:
        "Only each person's first unlock of the day at a place; later ones are kept in the history as repeats. Unlocks without a name always notify.",
      dayStarts: 'A new day starts at',
      dayStartsHint: 'For arrivals: with 04:00, a guest coming back at 01:00 is not a new arrival.',
      quiet: 'Quiet hours',
      quietFrom: 'From',
      quietTo: 'to',
      quietHint:
        'No notifications in these hours; unlocks are still kept in the history. When quiet hours end, one summary tells you what happened meanwhile.',
      quietOvernight: 'Runs overnight and ends the next morning.',
      sound: 'Ring the door bell with each unlock notification',
      offsetLabel: 'Notify about unlocks reported up to',
      offsetUnit: 'minutes late',
      offsetNoLimit: 'No limit',
      offsetHint:
        "Locks that were offline upload unlocks later. Unlocks reported later than this are kept in the history but don't notify (up to 7 days).",
    },

    doors: {
      legend: 'Doors to watch',
      all: 'All doors, including ones added later',
      only: 'Only the doors ticked below',
      none: 'No doors seen yet. Doorpost lists them here after its first check.',
      hint: 'Unlocks at every door are kept in the history; only watched doors notify.',
    },

    rules: {
      title: 'Door by door',
      summary: (x: number) =>
        x === 0
          ? 'Every door follows the settings above.'
          : n.plural(x, { one: `${n.count(x)} door has a rule of its own.`, other: `${n.count(x)} doors have rules of their own.` }),
      intro: 'Give a door its own kind of notification, or let it notify even during quiet hours.',
      mode: (door: string) => `Notify about, at ${door}`,
      followPlace: (mode: string) => `As its place (${mode.toLowerCase()})`,
      always: 'Always notify',
      alwaysHint: 'even in quiet hours',
      alwaysLabel: (door: string) => `Always notify about ${door}, even in quiet hours`,
      mutedUntil: (when: string, kept: number) =>
        kept === 0 ? `Muted until ${when}` : `Muted until ${when} · ${unlocks(kept)} kept`,
      mute: 'Mute',
      muteLabel: (door: string) => `Mute ${door}`,
      muteHour: 'For 1 hour',
      unmute: 'Unmute',
      unmuteLabel: (door: string) => `Unmute ${door}`,
    },

    checking: {
      title: 'Checking',
      interval: 'Check every',
      unit: 'minutes',
      hint: (min: number, max: number) => `Parakey recommends 5 minutes or more (${min}–${max}).`,
    },

    privacy: {
      title: 'Privacy',
      legend: "Guests' names",
      forget: "Forget guests' names after",
      unit: 'days',
      keep: 'Keep names',
      hint: 'After this many days Doorpost erases names and e-mail addresses from its history; the time and the door stay, shown as “Someone”. Parakey itself forgets them after 90 days.',
    },

    language: {
      title: 'Language',
      label: 'Language',
      system: 'Same as the system',
      hint: "Dates and times follow your system's regional format.",
    },

    computer: {
      title: 'This computer',
      autostart: 'Start Doorpost when I log in',
      autostartHint: 'Without it, Doorpost stops watching when the computer restarts until you open it again.',
    },

    check: {
      interval: (min: number, max: number) => `Enter a whole number of minutes from ${min} to ${max}.`,
      offset: (max: number) => `Enter a whole number of minutes, up to ${n.count(max)} (7 days), or tick “No limit”.`,
      doors: 'Pick at least one door, or watch all doors.',
      dayStarts: 'Give a time of day, such as 04:00.',
      quietBoth: 'Give both times, such as 22:00 to 07:00.',
      quietSame: 'Quiet hours must start and end at different times.',
      retention: (min: number, max: number) =>
        `Enter a whole number of days from ${n.count(min)} to ${n.count(max)}, or keep names.`,
    },

    history: {
      title: 'History',
      showing: (shown: number, total: number, filtered: boolean) =>
        `Showing ${n.count(shown)} of ${filtered ? count(total, 'matching unlock', 'matching unlocks') : unlocks(total)}`,
      total: (total: number, filtered: boolean) => (filtered ? count(total, 'matching unlock', 'matching unlocks') : unlocks(total)),
      export: 'Export CSV',
      exporting: 'Exporting…',
      exported: (rows: number, path: string) => `Saved ${count(rows, 'row', 'rows')} to ${path}`,
      loading: 'Loading…',
      noMatch: 'No unlocks match these filters.',
      empty: 'No unlocks yet. They appear here as soon as Parakey reports them.',
      loadMore: 'Load more',
      notFound: "Couldn't find that unlock in recent history.",
      listLabel: 'Unlocks, newest first',
    },

    filters: {
      label: 'Filter unlocks',
      search: 'Search door or person',
      place: 'Place',
      allPlaces: 'All places',
      door: 'Door',
      allDoors: 'All doors',
      when: 'When',
      any: 'Any time',
      today: 'Today',
      yesterday: 'Yesterday',
      week: 'Last 7 days',
      custom: 'Custom…',
      from: 'From',
      to: 'To',
      clear: 'Clear filters',
      rangeError: 'The end date is before the start date.',
    },

    row: {
      notified: 'Notified',
      late: (delay: string) => `reported ${delay} late`,
      lateExplain: (delay: string) =>
        `Parakey received this unlock ${delay} after it happened, so it was kept but didn't notify.`,
      repeat: 'Repeat',
      repeatExplain: "not this person's first unlock here today, so it didn't notify",
      muted: 'Muted',
      mutedExplain: "its door was muted, so it didn't notify",
      duplicate: 'Duplicate upload',
      duplicateExplain: 'the lock sent this unlock to Parakey twice, so it notified once',
    },

    chart: {
      title: 'Last 14 days',
      total: (total: number, filtered: boolean) => (filtered ? count(total, 'matching unlock', 'matching unlocks') : unlocks(total)),
      group: 'Unlocks per day. Choose a day to list only its unlocks.',
      bar: (day: string, x: number) => `${day}: ${unlocks(x)}`,
      noDataBar: (day: string) => `${day}: no data, Doorpost was not watching yet`,
      noData: 'No data',
      today: 'Today',
      caption: 'Unlocks per day',
      day: 'Day',
      unlocks: 'Unlocks',
      noDataCell: 'No data',
    },

    statusPage: {
      title: 'Status',
      lastCheck: 'Last check',
      notYet: 'Not yet',
      nextCheck: 'Next check',
      afterReplace: 'After the token is replaced',
      notScheduled: 'Not scheduled',
      notifications: 'Notifications',
      notificationsOn: 'On',
      notificationsOff: 'Off in Settings',
      pausedUntil: (when: string) => `Paused until ${when}`,
      paused: 'Paused until you resume them',
      quietUntil: (when: string) => `Quiet hours until ${when}`,
      token: 'Token',
      failures: 'Failures today',
      lastError: 'Last error',
      none: 'None',
      historyGaps: 'History gaps',
      catchingUp: 'Catching up',
      catchingUpText: 'Loading history page by page; it keeps what it has if Parakey asks it to slow down.',
      stored: 'Unlocks stored',
      watchingSince: 'Watching since',
      technical: 'Technical details',
      requests: 'Requests today',
      notModified: (x: number) => `${n.count(x)} answered “not modified”`,
      signedIn: 'Signed in with',
      notKnown: 'Not yet known',
      authAccessToken: 'the access-token header',
      authBearer: 'an Authorization: Bearer header',
      largestLimit: 'Largest page accepted',
      largestLimitValue: (x: number) => `limit=${x}`,
      pageMax: 'Page maximum',
      pageMaxNone: 'None learned',
      pageMaxValue: (x: number, when: string | null) =>
        `${count(x, 'row', 'rows')}${when === null ? '' : ` (learned ${when}; larger pages are tried again after an hour)`}`,
      ascending: 'Oldest first (orderBy=createdAt:ASC)',
      accepted: 'Accepted',
      ascendingRefused: 'Refused: Doorpost lists newest first, the documented way',
      skip: 'Skipping rows (skip)',
      skipHonoured: 'Honoured',
      skipIgnored: 'Ignored: the same rows came back',
      refused: 'Refused',
      startFilter: 'startDate filters on',
      startCreatedAt: 'Arrival at Parakey (createdAt)',
      startDeviceTime: "The lock's own clock (timestamp)",
      lastRefusal: 'Last refusal',
      pace: 'Pace',
      paceNone: 'No rate limit met',
      paceValue: (x: number) => `At most ${count(x, 'request', 'requests')} a minute (learned from a refusal)`,
      unservable: 'Record Parakey cannot serve',
      unservableNone: 'None met',
      unservableValue: (when: string) => `Dated ${when}; stepped past, remembered for a day`,
      setAside: 'Records set aside',
      setAsideHint: 'Parakey sent records Doorpost could not read; they are kept for inspection.',
      coverage: 'Coverage',
      noGaps: 'No gaps: Doorpost has reached Parakey every time it tried.',
      gap: (range: string, found: number) =>
        `${range}: couldn't reach Parakey; ${found === 0 ? 'no unlocks were missed' : `found ${unlocks(found)} afterwards`}`,
      tiesBeyondPage: (when: string) =>
        `Parakey reported more unlocks arriving at the same moment (${when}) than it lists at once, with no reliable way to list the rest. Some of them may be missing from the history.`,
      deviceTimeFilter:
        "Parakey filters by the locks' own clocks rather than by arrival, so unlocks that an offline lock uploaded late may be missing from the history.",
      unordered: (when: string) =>
        `Parakey sent unlocks out of order (around ${when}), so Doorpost could not tell whether it had them all.`,
      unreadable: (when: string) =>
        `Parakey sent records Doorpost could not read (around ${when}); unlocks listed after them may be missing.`,
      newestOnly: (when: string) =>
        `Parakey accepts only its simplest request, which lists the newest unlocks only; some that arrived around ${when} may be missing.`,
    },
  };
}

/** The shape every catalogue has: English's. */
export type Messages = ReturnType<typeof en>;
