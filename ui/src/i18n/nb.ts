// Norsk bokmål. Same keys as en.ts (the `Messages` return type makes a missing or extra key
// a type error). Norwegian typography: «sitattegn», a space before "…" that stands for
// words left out ("Sjekker …"), "kl." before a bare clock time in running text.

import type { Numbers } from '../lib/format';
import type { Messages } from './en';

export function nb(n: Numbers): Messages {
  const count = (x: number, one: string, other: string) => `${n.count(x)} ${n.plural(x, { one, other })}`;
  const unlocks = (x: number) => count(x, 'opplåsing', 'opplåsinger');
  const tokenSource = 'Du finner det i Parakey-appen under Innstillinger → Integrasjoner.';

  return {
    common: {
      opening: 'Åpner Doorpost …',
      tryAgain: 'Prøv igjen',
      someone: 'Noen',
      cancel: 'Avbryt',
      dismiss: 'Lukk meldingen',
      keepIt: 'Behold',
      unlocks,
    },

    time: {
      today: 'I dag',
      yesterday: 'I går',
      tomorrow: 'I morgen',
      yesterdayInline: 'i går',
      tomorrowInline: 'i morgen',
      justNow: 'akkurat nå',
      minutes: (x: number) => `${n.count(x)} min`,
      hours: (x: number) => count(x, 'time', 'timer'),
      days: (x: number) => count(x, 'dag', 'dager'),
      minutesLong: (x: number) => count(x, 'minutt', 'minutter'),
      hoursLong: (x: number) => count(x, 'time', 'timer'),
      daysLong: (x: number) => count(x, 'dag', 'dager'),
    },

    tabs: {
      label: 'Seksjoner',
      history: 'Historikk',
      settings: 'Innstillinger',
      status: 'Status',
      unsaved: 'ulagrede endringer',
    },

    status: {
      tokenRejected: 'Tokenet ble avvist',
      cantReach: 'Får ikke kontakt med Parakey',
      redirected: 'Parakeys adresse er flyttet: sjekk API-adressen',
      cantCheckSince: (when: string) => `Får ikke sjekket siden ${when}`,
      notSetUp: 'Ikke satt opp',
      checking: 'Sjekker …',
      notCheckedYet: 'Ikke sjekket ennå',
      checked: (relative: string) => `Sjekket ${relative}`,
      paused: 'Varsler på pause',
      pausedUntil: (when: string) => `Varsler på pause til ${when}`,
      quietUntil: (when: string) => `Stilletid til ${when}`,
    },

    header: {
      demo: 'Demo',
      demoTitle: 'Eksempeldata fra en simulert Parakey-konto',
      leaveDemo: 'Avslutt demoen',
      checkNow: 'Sjekk nå',
      resumed: 'Varslene er på igjen.',
      pausedHour: 'Varsler er satt på pause i én time. Doorpost sjekker fortsatt og tar vare på historikken.',
      pausedUntil: (when: string) =>
        `Varsler er satt på pause til ${when}. Doorpost sjekker fortsatt og tar vare på historikken.`,
      pausedIndefinitely:
        'Varsler er satt på pause til du gjenopptar dem. Doorpost sjekker fortsatt og tar vare på historikken.',
    },

    pause: {
      trigger: 'Sett varsler på pause',
      triggerPaused: 'Varsler på pause',
      menu: 'Sett varsler på pause',
      resumeUntil: (when: string) => `Gjenoppta (på pause til ${when})`,
      resume: 'Gjenoppta varsler',
      oneHour: 'I én time',
      untilTomorrow: (time: string) => `Til kl. ${time} i morgen`,
      untilThisMorning: (time: string) => `Til kl. ${time} i dag`,
      indefinitely: 'Til jeg gjenopptar dem',
    },

    banner: {
      rejected: 'Parakey avviste tokenet, så Doorpost har sluttet å sjekke. Bytt det ut for å starte igjen.',
      rejectedPlace: (place: string) =>
        `Parakey avviste tokenet for ${place}, så Doorpost har sluttet å sjekke stedet. Bytt det ut for å starte igjen.`,
      replace: 'Bytt token',
      replaceFor: (place: string) => `Bytt token for ${place}`,
    },

    firstRun: {
      title: 'Velkommen til Doorpost',
      intro:
        'Doorpost varsler deg i løpet av noen minutter når noen låser opp en av Parakey-dørene dine, og fører en historikk du kan søke i.',
      tokenLabel: 'Integrasjonstoken fra Parakey',
      tokenHelp: `${tokenSource} Det lagres i systemets nøkkelring, aldri i en fil.`,
      pasteFirst: 'Lim inn Parakey-tokenet først.',
      checking: 'Sjekker …',
      check: 'Sjekk tokenet',
      or: 'eller',
      tryDemo: 'Prøv demoen',
      doorsHint: 'Du kan endre dette senere under Innstillinger. Opplåsinger ved alle dører lagres i historikken.',
      autostart: 'Start Doorpost når jeg logger inn',
      tray: 'Doorpost følger med fra statusfeltet også når vinduet er lukket; avslutt fra menyen der.',
      done: 'Ferdig',
    },

    testNotification: {
      button: 'Send et testvarsel',
      sending: 'Sender …',
      sent: 'Sendt. Kom det ikke noe varsel, sjekk at Doorpost har lov til å vise varsler i systeminnstillingene.',
    },

    token: {
      source: tokenSource,
      placeholder: 'Lim inn tokenet her',
      show: 'Vis',
      hide: 'Skjul',
      showLabel: 'Vis tokenet',
      hideLabel: 'Skjul tokenet',
      connected: (doors: number, events: number) =>
        `Tilkoblet. Fant ${count(doors, 'dør', 'dører')} og ${count(events, 'nylig opplåsing', 'nylige opplåsinger')}.`,
    },

    tokenSettings: {
      title: 'Parakey-token',
      saved: 'Et token er lagret i nøkkelringen.',
      rejected: 'Parakey avviste det lagrede tokenet. Lim inn et nytt for å begynne å sjekke igjen.',
      demo: 'Du ser på demoen. Lim inn et token for å følge med på dine egne dører.',
      none: 'Det er ikke lagret noe token.',
      replaceLabel: 'Bytt ut tokenet',
      label: 'Integrasjonstoken',
      help: `${tokenSource} Doorpost sjekker det hos Parakey før det lagres.`,
      pasteFirst: 'Lim inn et token først.',
      checking: 'Sjekker …',
      replace: 'Bytt token',
      save: 'Lagre token',
      clear: 'Fjern token',
      clearConfirm: 'Fjerne tokenet fra nøkkelringen? Doorpost slutter å sjekke til du legger inn et nytt.',
      remove: 'Fjern tokenet',
      removed: 'Tokenet er fjernet fra nøkkelringen.',
      savedResult: (connected: string) => `${connected} Det nye tokenet ligger i nøkkelringen.`,
    },

    places: {
      title: 'Steder',
      intro: 'Hvert sted er en Parakey-konto med sitt eget token. Dørnavnene viser hvilket sted de hører til.',
      addAnother: 'Legg til enda et sted',
      tokenSaved: 'Token lagret',
      noToken: 'Mangler token',
      rename: 'Gi nytt navn',
      nameLabel: 'Navn',
      saveName: 'Lagre navnet',
      renamed: (name: string) => `Nytt navn: ${name}.`,
      notify: 'Varsle om',
      notifyDefault: (mode: string) => `Standard (${mode.toLowerCase()})`,
      replaceToken: 'Bytt token',
      tokenFor: (place: string) => `Nytt token for ${place}`,
      checkAndSave: 'Sjekk og lagre',
      tokenReplaced: (place: string, connected: string) => `${place}: ${connected}`,
      remove: 'Fjern …',
      removeTitle: (place: string) => `Fjerne ${place}?`,
      removeBody: 'Doorpost slutter å følge med på dørene der og sletter tokenet fra nøkkelringen.',
      deleteHistory: (events: number) => `Slett også historikken (${unlocks(events)})`,
      removeConfirm: 'Fjern stedet',
      removed: (place: string) => `${place} er fjernet.`,
      removedWithHistory: (place: string) => `${place} og historikken derfra er fjernet.`,
    },

    addPlace: {
      title: 'Legg til et sted',
      name: 'Navn',
      nameHint: 'Det du kaller stedet, for eksempel «Sjøboden». Det vises ved siden av dørnavnene.',
      token: 'Integrasjonstoken fra Parakey',
      tokenHelp: `Hvert sted har sitt eget token. ${tokenSource}`,
      advanced: 'Avansert',
      apiUrl: 'API-adresse (valgfritt)',
      apiUrlHint: 'La feltet stå tomt for å bruke Parakeys egen adresse. Bare for testing mot en simulert Parakey.',
      submit: 'Legg til stedet',
      checking: 'Sjekker …',
      added: (place: string) => `${place} er lagt til. Doorpost henter historikken.`,
      nameRequired: 'Gi stedet et navn.',
      nameTaken: 'Et annet sted har allerede dette navnet.',
      tokenRequired: 'Lim inn tokenet for stedet.',
      apiUrlInvalid: 'Bruk en adresse som begynner med https:// (http:// bare til denne maskinen).',
    },

    settings: {
      title: 'Innstillinger',
      unsaved: 'Ulagrede endringer',
      discard: 'Forkast',
      save: 'Lagre',
      saving: 'Lagrer …',
      saved: 'Innstillingene er lagret.',
      nothingSaved: 'Ingenting ble lagret. Rett opp feltene som er merket nedenfor.',
    },

    notifications: {
      title: 'Varsler',
      enabled: 'Varsle meg når noen låser opp en dør jeg følger med på',
      modeLegend: 'Varsle om',
      every: 'Hver opplåsing',
      everyHint: 'Et varsel for hver opplåsing ved en dør du følger med på.',
      arrivals: 'Bare ankomster',
      arrivalsHint:
        'Bare den første opplåsingen hver person gjør på et sted samme dag; de neste lagres i historikken som gjentatte. Opplåsinger uten navn varsler alltid.',
      dayStarts: 'En ny dag begynner kl.',
      dayStartsHint: 'Gjelder ankomster: med 04:00 regnes ikke en gjest som kommer tilbake kl. 01:00, som en ny ankomst.',
      quiet: 'Stilletid',
      quietFrom: 'Fra',
      quietTo: 'til',
      quietHint:
        'Ingen varsler i dette tidsrommet; opplåsinger lagres fortsatt i historikken. Når stilletiden er over, får du ett sammendrag av det som skjedde.',
      quietOvernight: 'Går over natten og slutter neste morgen.',
      sound: 'Spill dørklokke med hvert opplåsingsvarsel',
      offsetLabel: 'Varsle om opplåsinger som er rapportert inntil',
      offsetUnit: 'minutter for sent',
      offsetNoLimit: 'Ingen grense',
      offsetHint:
        'Låser som har vært frakoblet, laster opp opplåsinger senere. Opplåsinger som rapporteres senere enn dette, lagres i historikken, men varsler ikke (inntil 7 dager).',
    },

    doors: {
      legend: 'Dører å følge med på',
      all: 'Alle dører, også de som legges til senere',
      only: 'Bare dørene som er krysset av nedenfor',
      none: 'Ingen dører funnet ennå. Doorpost viser dem her etter første sjekk.',
      hint: 'Opplåsinger ved alle dører lagres i historikken; bare dørene du følger med på, varsler.',
    },

    rules: {
      title: 'Dør for dør',
      summary: (x: number) =>
        x === 0 ? 'Alle dører følger innstillingene ovenfor.' : `${count(x, 'dør', 'dører')} har egne regler.`,
      intro: 'Gi en dør sin egen varslingsmåte, eller la den varsle også i stilletiden.',
      mode: (door: string) => `Varsle om, ved ${door}`,
      followPlace: (mode: string) => `Som stedet (${mode.toLowerCase()})`,
      always: 'Varsle alltid',
      alwaysHint: 'også i stilletiden',
      alwaysLabel: (door: string) => `Varsle alltid om ${door}, også i stilletiden`,
      mutedUntil: (when: string, kept: number) =>
        kept === 0 ? `Dempet til ${when}` : `Dempet til ${when} · ${unlocks(kept)} lagret`,
      mute: 'Demp',
      muteLabel: (door: string) => `Demp ${door}`,
      muteHour: 'I én time',
      unmute: 'Opphev demping',
      unmuteLabel: (door: string) => `Opphev demping av ${door}`,
    },

    checking: {
      title: 'Sjekking',
      interval: 'Sjekk med',
      unit: 'minutters mellomrom',
      hint: (min: number, max: number) => `Parakey anbefaler 5 minutter eller mer (${min}–${max}).`,
    },

    privacy: {
      title: 'Personvern',
      legend: 'Gjestenes navn',
      forget: 'Glem gjestenes navn etter',
      unit: 'dager',
      keep: 'Behold navnene',
      hint: 'Etter så mange dager sletter Doorpost navn og e-postadresser fra historikken; tidspunktet og døren blir stående, vist som «Noen». Parakey selv glemmer dem etter 90 dager.',
    },

    language: {
      title: 'Språk',
      label: 'Språk',
      system: 'Samme som systemet',
      hint: 'Datoer og klokkeslett følger systemets regionale format.',
    },

    computer: {
      title: 'Denne maskinen',
      autostart: 'Start Doorpost når jeg logger inn',
      autostartHint: 'Uten dette slutter Doorpost å følge med når maskinen startes på nytt, til du åpner programmet igjen.',
    },

    check: {
      interval: (min: number, max: number) => `Skriv et helt antall minutter fra ${min} til ${max}.`,
      offset: (max: number) =>
        `Skriv et helt antall minutter, inntil ${n.count(max)} (7 dager), eller kryss av for «Ingen grense».`,
      doors: 'Velg minst én dør, eller følg med på alle dører.',
      dayStarts: 'Skriv et klokkeslett, for eksempel 04:00.',
      quietBoth: 'Fyll inn begge klokkeslettene, for eksempel 22:00 til 07:00.',
      quietSame: 'Stilletiden må begynne og slutte på forskjellige tidspunkt.',
      retention: (min: number, max: number) =>
        `Skriv et helt antall dager fra ${n.count(min)} til ${n.count(max)}, eller behold navnene.`,
    },

    history: {
      title: 'Historikk',
      showing: (shown: number, total: number, filtered: boolean) =>
        `Viser ${n.count(shown)} av ${filtered ? `${n.count(total)} treff` : unlocks(total)}`,
      total: (total: number, filtered: boolean) => (filtered ? `${n.count(total)} treff` : unlocks(total)),
      export: 'Eksporter CSV',
      exporting: 'Eksporterer …',
      exported: (rows: number, path: string) => `Lagret ${count(rows, 'rad', 'rader')} i ${path}`,
      loading: 'Laster inn …',
      noMatch: 'Ingen opplåsinger passer med filtrene.',
      empty: 'Ingen opplåsinger ennå. De vises her så snart Parakey rapporterer dem.',
      loadMore: 'Vis flere',
      notFound: 'Fant ikke den opplåsingen i den nyere historikken.',
      listLabel: 'Opplåsinger, nyeste først',
    },

    filters: {
      label: 'Filtrer opplåsinger',
      search: 'Søk etter dør eller person',
      place: 'Sted',
      allPlaces: 'Alle steder',
      door: 'Dør',
      allDoors: 'Alle dører',
      when: 'Når',
      any: 'Når som helst',
      today: 'I dag',
      yesterday: 'I går',
      week: 'Siste 7 dager',
      custom: 'Velg datoer …',
      from: 'Fra',
      to: 'Til',
      clear: 'Fjern filtrene',
      rangeError: 'Sluttdatoen er før startdatoen.',
    },

    row: {
      notified: 'Varslet',
      late: (delay: string) => `rapportert ${delay} for sent`,
      lateExplain: (delay: string) =>
        `Parakey fikk denne opplåsingen ${delay} etter at den skjedde, så den ble lagret, men varslet ikke.`,
      repeat: 'Gjentatt',
      repeatExplain: 'ikke personens første opplåsing her i dag, så den varslet ikke',
      muted: 'Dempet',
      mutedExplain: 'døren var dempet, så den varslet ikke',
      duplicate: 'Dobbel opplasting',
      duplicateExplain: 'låsen sendte denne opplåsingen til Parakey to ganger, så den varslet én gang',
    },

    chart: {
      title: 'Siste 14 dager',
      total: (total: number, filtered: boolean) => (filtered ? `${n.count(total)} treff` : unlocks(total)),
      group: 'Opplåsinger per dag. Velg en dag for å vise bare de opplåsingene.',
      bar: (day: string, x: number) => `${day}: ${unlocks(x)}`,
      noDataBar: (day: string) => `${day}: ingen data, Doorpost fulgte ikke med ennå`,
      noData: 'Ingen data',
      today: 'I dag',
      caption: 'Opplåsinger per dag',
      day: 'Dag',
      unlocks: 'Opplåsinger',
      noDataCell: 'Ingen data',
    },

    statusPage: {
      title: 'Status',
      lastCheck: 'Siste sjekk',
      notYet: 'Ikke ennå',
      nextCheck: 'Neste sjekk',
      afterReplace: 'Når tokenet er byttet',
      notScheduled: 'Ikke planlagt',
      notifications: 'Varsler',
      notificationsOn: 'På',
      notificationsOff: 'Slått av i innstillingene',
      pausedUntil: (when: string) => `På pause til ${when}`,
      paused: 'På pause til du gjenopptar dem',
      quietUntil: (when: string) => `Stilletid til ${when}`,
      token: 'Token',
      failures: 'Feil i dag',
      lastError: 'Siste feil',
      none: 'Ingen',
      historyGaps: 'Hull i historikken',
      catchingUp: 'Henter inn',
      catchingUpText:
        'Henter historikken side for side; det som er hentet, beholdes hvis Parakey ber om et roligere tempo.',
      stored: 'Lagrede opplåsinger',
      watchingSince: 'Følger med siden',
      technical: 'Tekniske detaljer',
      requests: 'Forespørsler i dag',
      notModified: (x: number) => `${n.count(x)} besvart med «not modified»`,
      signedIn: 'Logget inn med',
      notKnown: 'Ikke kjent ennå',
      authAccessToken: 'access-token-headeren',
      authBearer: 'en Authorization: Bearer-header',
      largestLimit: 'Største side godtatt',
      largestLimitValue: (x: number) => `limit=${x}`,
      pageMax: 'Sidegrense',
      pageMaxNone: 'Ingen lært',
      pageMaxValue: (x: number, when: string | null) =>
        `${count(x, 'rad', 'rader')}${when === null ? '' : ` (lært ${when}; større sider prøves igjen etter en time)`}`,
      ascending: 'Eldste først (orderBy=createdAt:ASC)',
      accepted: 'Godtatt',
      ascendingRefused: 'Avvist: Doorpost henter nyeste først, slik dokumentasjonen viser',
      skip: 'Hoppe over rader (skip)',
      skipHonoured: 'Respektert',
      skipIgnored: 'Ignorert: de samme radene kom tilbake',
      refused: 'Avvist',
      startFilter: 'startDate filtrerer på',
      startCreatedAt: 'Ankomst hos Parakey (createdAt)',
      startDeviceTime: 'Låsens egen klokke (timestamp)',
      lastRefusal: 'Siste avvisning',
      pace: 'Tempo',
      paceNone: 'Ingen forespørselsgrense møtt',
      paceValue: (x: number) => `Høyst ${count(x, 'forespørsel', 'forespørsler')} i minuttet (lært av en avvisning)`,
      unservable: 'Post Parakey ikke kan levere',
      unservableNone: 'Ingen møtt',
      unservableValue: (when: string) => `Datert ${when}; hoppet over, huskes i et døgn`,
      setAside: 'Poster lagt til side',
      setAsideHint: 'Parakey sendte poster Doorpost ikke kunne lese; de beholdes for gjennomgang.',
      coverage: 'Dekning',
      noGaps: 'Ingen hull: Doorpost har nådd Parakey hver gang.',
      gap: (range: string, found: number) =>
        `${range}: fikk ikke kontakt med Parakey; ${found === 0 ? 'ingen opplåsinger gikk tapt' : `fant ${unlocks(found)} etterpå`}`,
      tiesBeyondPage: (when: string) =>
        `Parakey rapporterte flere opplåsinger med samme ankomsttid (${when}) enn den viser på én gang, uten en pålitelig måte å hente resten på. Noen av dem kan mangle i historikken.`,
      deviceTimeFilter:
        'Parakey filtrerer etter låsenes egne klokker i stedet for ankomsttid, så opplåsinger som en frakoblet lås lastet opp sent, kan mangle i historikken.',
      unordered: (when: string) =>
        `Parakey sendte opplåsinger i feil rekkefølge (rundt ${when}), så Doorpost kunne ikke vite om den hadde fått alle.`,
      unreadable: (when: string) =>
        `Parakey sendte poster Doorpost ikke kunne lese (rundt ${when}); opplåsinger etter dem kan mangle.`,
      newestOnly: (when: string) =>
        `Parakey godtar bare sin enkleste forespørsel, som bare viser de nyeste opplåsingene; noen som kom rundt ${when} kan mangle.`,
    },
  };
}
