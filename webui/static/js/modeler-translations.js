// Norwegian (bokmål) for the texts bpmn-js and dmn-js show themselves: the palette, the
// context pad, the "change element" menu and the decision table (headers, hit policy, context
// menu, cell editors). Both modelers ask a `translate` service for every such text (the
// English template is the key); this file supplies one, after diagram-js's i18n pattern:
//
//   new BpmnJS({additionalModules: SamflytModelerTranslations.modules()})
//
// modules() gives the module only when the page is in bokmål (<html lang="nb">); on an
// English page it gives none, and the modelers keep their own English. A text missing here
// stays English. The keys are the templates in bpmn-js 18 / dmn-js 17 (node_modules/bpmn-js/lib,
// node_modules/dmn-js-decision-table/lib: grep for translate().
(function () {
  "use strict";

  var BPMN = {
    // palette
    "Activate hand tool": "Håndverktøy: flytt visningen",
    "Activate lasso tool": "Lassoverktøy: velg flere elementer",
    "Activate create/remove space tool": "Plassverktøy: lag eller fjern plass",
    "Activate global connect tool": "Koblingsverktøy: koble sammen to elementer",
    "Create start event": "Lag starthendelse",
    "Create intermediate/boundary event": "Lag mellomhendelse eller grensehendelse",
    "Create end event": "Lag sluthendelse",
    "Create gateway": "Lag port",
    "Create task": "Lag oppgave",
    "Create data object reference": "Lag dataobjekt",
    "Create data store reference": "Lag datalager",
    "Create expanded sub-process": "Lag delprosess (utvidet)",
    "Create pool/participant": "Lag deltaker (basseng)",
    "Create group": "Lag gruppe",

    // context pad
    "Append end event": "Legg til sluthendelse",
    "Append gateway": "Legg til port",
    "Append task": "Legg til oppgave",
    "Append intermediate/boundary event": "Legg til mellomhendelse eller grensehendelse",
    "Append message intermediate catch event": "Legg til mellomhendelse som venter på melding",
    "Append timer intermediate catch event": "Legg til mellomhendelse som venter på tidsur",
    "Append conditional intermediate catch event": "Legg til mellomhendelse som venter på betingelse",
    "Append signal intermediate catch event": "Legg til mellomhendelse som venter på signal",
    "Append receive task": "Legg til mottaksoppgave",
    "Append compensation activity": "Legg til kompensasjonsaktivitet",
    "Add text annotation": "Legg til merknad",
    "Add lane above": "Legg til svømmebane over",
    "Add lane below": "Legg til svømmebane under",
    "Divide into two lanes": "Del i to svømmebaner",
    "Divide into three lanes": "Del i tre svømmebaner",
    "Change element": "Endre type",
    "Connect to other element": "Koble til et annet element",
    "Connect using association": "Koble med assosiasjon",
    "Connect using data input association": "Koble med assosiasjon for inndata",
    "Delete": "Slett",
    "Align elements": "Juster elementene",
    "Align elements left": "Juster mot venstre",
    "Align elements center": "Midtstill vannrett",
    "Align elements right": "Juster mot høyre",
    "Align elements top": "Juster mot toppen",
    "Align elements middle": "Midtstill loddrett",
    "Align elements bottom": "Juster mot bunnen",
    "Distribute elements horizontally": "Fordel elementene vannrett",
    "Distribute elements vertically": "Fordel elementene loddrett",
    "Search in diagram": "Søk i diagrammet",
    "Open {element}": "Åpne {element}",

    // "change element" menu: header buttons
    "Loop": "Løkke",
    "Parallel multi-instance": "Flere instanser samtidig",
    "Sequential multi-instance": "Flere instanser etter hverandre",
    "Collection": "Samling",
    "Participant multiplicity": "Flere deltakere",
    "Toggle non-interrupting": "Avbrytende eller ikke-avbrytende",

    // "change element" menu: entries (bpmn-js lib/features/popup-menu/PopupEntries.js)
    "Task": "Oppgave",
    "User task": "Brukeroppgave",
    "Service task": "Tjenesteoppgave",
    "Send task": "Sendeoppgave",
    "Receive task": "Mottaksoppgave",
    "Manual task": "Manuell oppgave",
    "Business rule task": "Regeloppgave",
    "Script task": "Skriptoppgave",
    "Call activity": "Kall til en annen prosess",
    "Transaction": "Transaksjon",
    "Event sub-process": "Hendelsesdelprosess",
    "Sub-process": "Delprosess",
    "Sub-process (collapsed)": "Delprosess (sammenslått)",
    "Sub-process (expanded)": "Delprosess (utvidet)",
    "Ad-hoc sub-process": "Ad hoc-delprosess",
    "Ad-hoc sub-process (collapsed)": "Ad hoc-delprosess (sammenslått)",
    "Ad-hoc sub-process (expanded)": "Ad hoc-delprosess (utvidet)",
    "Exclusive gateway": "Enten–eller-port",
    "Parallel gateway": "Parallell port",
    "Inclusive gateway": "Inkluderende port",
    "Complex gateway": "Kompleks port",
    "Event-based gateway": "Hendelsesport",
    "Data store reference": "Datalager",
    "Data object reference": "Dataobjekt",
    "Expanded pool/participant": "Deltaker (utvidet)",
    "Empty pool/participant": "Deltaker (tom)",
    "Empty pool/participant (removes content)": "Deltaker (tom; fjerner innholdet)",
    "Sequence flow": "Flyt",
    "Default flow": "Standardflyt",
    "Conditional flow": "Betinget flyt",

    "Start event": "Starthendelse",
    "Intermediate throw event": "Mellomhendelse (sender)",
    "Boundary event": "Grensehendelse",
    "End event": "Sluthendelse",

    "Message start event": "Starthendelse: melding",
    "Timer start event": "Starthendelse: tidsur",
    "Conditional start event": "Starthendelse: betingelse",
    "Signal start event": "Starthendelse: signal",
    "Error start event": "Starthendelse: feil",
    "Escalation start event": "Starthendelse: eskalering",
    "Compensation start event": "Starthendelse: kompensasjon",
    "Message start event (non-interrupting)": "Starthendelse: melding (avbryter ikke)",
    "Timer start event (non-interrupting)": "Starthendelse: tidsur (avbryter ikke)",
    "Conditional start event (non-interrupting)": "Starthendelse: betingelse (avbryter ikke)",
    "Signal start event (non-interrupting)": "Starthendelse: signal (avbryter ikke)",
    "Escalation start event (non-interrupting)": "Starthendelse: eskalering (avbryter ikke)",

    "Message intermediate catch event": "Mellomhendelse: venter på melding",
    "Message intermediate throw event": "Mellomhendelse: sender melding",
    "Timer intermediate catch event": "Mellomhendelse: venter på tidsur",
    "Escalation intermediate throw event": "Mellomhendelse: sender eskalering",
    "Conditional intermediate catch event": "Mellomhendelse: venter på betingelse",
    "Link intermediate catch event": "Mellomhendelse: mottar lenke",
    "Link intermediate throw event": "Mellomhendelse: sender lenke",
    "Compensation intermediate throw event": "Mellomhendelse: sender kompensasjon",
    "Signal intermediate catch event": "Mellomhendelse: venter på signal",
    "Signal intermediate throw event": "Mellomhendelse: sender signal",

    "Message boundary event": "Grensehendelse: melding",
    "Timer boundary event": "Grensehendelse: tidsur",
    "Escalation boundary event": "Grensehendelse: eskalering",
    "Conditional boundary event": "Grensehendelse: betingelse",
    "Error boundary event": "Grensehendelse: feil",
    "Cancel boundary event": "Grensehendelse: avbrytelse",
    "Signal boundary event": "Grensehendelse: signal",
    "Compensation boundary event": "Grensehendelse: kompensasjon",
    "Message boundary event (non-interrupting)": "Grensehendelse: melding (avbryter ikke)",
    "Timer boundary event (non-interrupting)": "Grensehendelse: tidsur (avbryter ikke)",
    "Escalation boundary event (non-interrupting)": "Grensehendelse: eskalering (avbryter ikke)",
    "Conditional boundary event (non-interrupting)": "Grensehendelse: betingelse (avbryter ikke)",
    "Signal boundary event (non-interrupting)": "Grensehendelse: signal (avbryter ikke)",

    "Message end event": "Sluthendelse: melding",
    "Escalation end event": "Sluthendelse: eskalering",
    "Error end event": "Sluthendelse: feil",
    "Cancel end event": "Sluthendelse: avbrytelse",
    "Compensation end event": "Sluthendelse: kompensasjon",
    "Signal end event": "Sluthendelse: signal",
    "Terminate end event": "Sluthendelse: avslutter hele prosessen",

    // what a refused move says
    "flow elements must be children of pools/participants":
      "flytelementer må ligge inne i en deltaker (basseng)",
    "Data object must be placed within a pool/participant.":
      "Et dataobjekt må ligge inne i en deltaker (basseng)."
  };

  var DMN = {
    // table head and foot
    "When": "Når",
    "And": "Og",
    "Then": "Så",
    "Annotation": "Merknad",
    "Annotations": "Merknader",
    "Input": "Inndata",
    "Output": "Utdata",
    "Add input": "Legg til inndata",
    "Add output": "Legg til utdata",
    "Add rule": "Legg til regel",
    "Move rule": "Flytt regelen",
    "Resize": "Endre bredden",
    "View DRD": "Vis beslutningsdiagrammet (DRD)",
    "Decision name": "Navn på beslutningen",
    "Decision name: ": "Navn på beslutningen: ",

    // hit policy
    "Hit policy": "Treffregel",
    "Hit policy:": "Treffregel:",
    "Unique": "Unik",
    "First": "Første",
    "Priority": "Prioritet",
    "Any": "Hvilken som helst",
    "Collect": "Samle",
    "Collect (Sum)": "Samle (sum)",
    "Collect (Min)": "Samle (minste)",
    "Collect (Max)": "Samle (største)",
    "Collect (Count)": "Samle (antall)",
    "Rule order": "Regelrekkefølge",
    "Output order": "Utdatarekkefølge",
    "No overlap is possible and all rules are disjoint. Only a single rule can be matched":
      "Reglene kan ikke overlappe. Bare én regel kan slå til",
    "Rules may overlap. The first matching rule will be chosen":
      "Reglene kan overlappe. Den første regelen som slår til, velges",
    "Rules may overlap. The one with the highest priority will be chosen":
      "Reglene kan overlappe. Den med høyest prioritet velges",
    "Rules may overlap. Their output have to match":
      "Reglene kan overlappe. Utdataene deres må være like",
    "Collects the values of all matching rules":
      "Samler verdiene fra alle regler som slår til",
    "Collects the values of all matching rules and sums up to a single value":
      "Samler verdiene fra alle regler som slår til, og legger dem sammen",
    "Collects the values of all matching rules and uses the lowest value":
      "Samler verdiene fra alle regler som slår til, og bruker den minste",
    "Collects the values of all matching rules and uses the highest value":
      "Samler verdiene fra alle regler som slår til, og bruker den største",
    "Collects the values of all matching rules and counts the number of them":
      "Samler verdiene fra alle regler som slår til, og teller dem",
    "Collects the values of all matching rules in rule order":
      "Samler verdiene fra alle regler som slår til, i regelrekkefølge",
    "Collects the values of all matching rules in decreasing output priority order":
      "Samler verdiene fra alle regler som slår til, etter synkende prioritet på utdataene",

    // context menu
    "Add rule above": "Legg til regel over",
    "Add rule below": "Legg til regel under",
    "Copy rule": "Kopier regelen",
    "Cut rule": "Klipp ut regelen",
    "Paste rule above": "Lim inn regel over",
    "Paste rule below": "Lim inn regel under",
    "Remove rule": "Fjern regelen",
    "Add input column left": "Legg til inndatakolonne til venstre",
    "Add input column right": "Legg til inndatakolonne til høyre",
    "Copy input column": "Kopier inndatakolonnen",
    "Cut input column": "Klipp ut inndatakolonnen",
    "Paste input column left": "Lim inn inndatakolonne til venstre",
    "Paste input column right": "Lim inn inndatakolonne til høyre",
    "Remove input column": "Fjern inndatakolonnen",
    "Add output column left": "Legg til utdatakolonne til venstre",
    "Add output column right": "Legg til utdatakolonne til høyre",
    "Copy output column": "Kopier utdatakolonnen",
    "Cut output column": "Klipp ut utdatakolonnen",
    "Paste output column left": "Lim inn utdatakolonne til venstre",
    "Paste output column right": "Lim inn utdatakolonne til høyre",
    "Remove output column": "Fjern utdatakolonnen",
    "Add cell description": "Legg til beskrivelse av cellen",
    "Remove cell description": "Fjern beskrivelsen av cellen",
    "Change cell expression language": "Endre uttrykksspråket i cellen",
    "Expression language": "Uttrykksspråk",
    "Expression language: {expressionLanguageLabel}": "Uttrykksspråk: {expressionLanguageLabel}",

    // column heads and their editors
    "Edit input": "Rediger inndata",
    "Edit output": "Rediger utdata",
    "Input label": "Ledetekst for inndata",
    "Input label: ": "Ledetekst for inndata: ",
    "Input expression": "Inndatauttrykk",
    "Input expression: ": "Inndatauttrykk: ",
    "Input type": "Inndatatype",
    "Input values": "Inndataverdier",
    "Output label": "Ledetekst for utdata",
    "Output label: ": "Ledetekst for utdata: ",
    "Output name": "Navn på utdata",
    "Output name: ": "Navn på utdata: ",
    "Output type": "Utdatatype",
    "Output values": "Utdataverdier",
    "Expression": "Uttrykk",
    "Enter expression": "Skriv et uttrykk",
    "Type": "Type",
    "Edit": "Rediger",
    "Editing not supported for set expression language":
      "Redigering støttes ikke for uttrykksspråket som er valgt",

    // data types (shown in the head and in the type menu)
    "string": "tekst",
    "boolean": "ja/nei",
    "number": "tall",
    "date": "dato",
    "time": "klokkeslett",
    "dateTime": "dato og klokkeslett",
    "dayTimeDuration": "varighet (dager og timer)",
    "yearMonthDuration": "varighet (år og måneder)",
    "integer": "heltall",
    "long": "heltall",
    "double": "desimaltall",

    // cell editors: values
    "Value": "Verdi",
    "Values": "Verdier",
    "Set value": "Sett verdi",
    "String value": "Tekstverdi",
    "Edit string": "Rediger tekst",
    "Match one": "Lik en av",
    "Match none": "Ulik alle",
    "Add values": "Legg til verdier",
    "Custom values": "Egne verdier",
    "Predefined values": "Forhåndsdefinerte verdier",
    "Add predefined values": "Legg til forhåndsdefinerte verdier",
    "Clear predefined values": "Fjern forhåndsdefinerte verdier",
    "No values": "Ingen verdier",
    "Strings must be in double quotes": "Tekst må stå i doble anførselstegn",
    "\"value\"": "\"verdi\"",
    "\"value\", \"value\", ...": "\"verdi\", \"verdi\", ...",
    "Boolean value": "Ja/nei-verdi",
    "Edit boolean": "Rediger ja/nei",
    "Yes": "Ja",
    "No": "Nei",

    // cell editors: numbers and durations
    "Edit number": "Rediger tall",
    "Comparison": "Sammenligning",
    "Comparison operator": "Sammenligningsoperator",
    "Equals": "Lik",
    "Less": "Mindre enn",
    "Less or equals": "Mindre enn eller lik",
    "Greater": "Større enn",
    "Greater or equals": "Større enn eller lik",
    "Range": "Intervall",
    "Include": "Ta med",
    "Exclude": "Ikke ta med",
    "Start value": "Startverdi",
    "End value": "Sluttverdi",
    "Range start operator": "Operator for intervallets start",
    "Range start value": "Intervallets startverdi",
    "Range end operator": "Operator for intervallets slutt",
    "Range end value": "Intervallets sluttverdi",
    "Duration value": "Varighet",
    "Edit duration": "Rediger varighet",
    "Set duration": "Sett varighet",
    "Must match PnYnM": "Må ha formen PnYnM",
    "Must match PnDTnH": "Må ha formen PnDTnH",

    // cell editors: dates and times
    "Test type": "Sammenligning",
    "Exactly": "Nøyaktig",
    "Before": "Før",
    "After": "Etter",
    "Between": "Mellom",
    "Date": "Dato",
    "Date value": "Dato",
    "Edit date": "Rediger dato",
    "Set date": "Sett dato",
    "Start date": "Fra dato",
    "End date": "Til dato",
    "Edit start date": "Rediger fra-datoen",
    "Edit end date": "Rediger til-datoen",
    "Use today": "Bruk dagens dato",
    "Date and time": "Dato og klokkeslett",
    "Date and time value": "Dato og klokkeslett",
    "Edit date and time": "Rediger dato og klokkeslett",
    "Set date and time": "Sett dato og klokkeslett",
    "Start date and time": "Fra dato og klokkeslett",
    "End date and time": "Til dato og klokkeslett",
    "Edit start date and time": "Rediger fra-dato og -klokkeslett",
    "Edit end date and time": "Rediger til-dato og -klokkeslett",
    "Time": "Klokkeslett",
    "Time value": "Klokkeslett",
    "Edit time": "Rediger klokkeslett",
    "Set time": "Sett klokkeslett",
    "Start time": "Fra klokkeslett",
    "End time": "Til klokkeslett",
    "Edit start time": "Rediger fra-klokkeslettet",
    "Edit end time": "Rediger til-klokkeslettet",
    "Use now": "Bruk nå",
    "Date must match pattern yyyy-MM-dd": "Datoen må ha formen åååå-MM-dd",
    "Time must match pattern hh:mm:ss[time zone]": "Klokkeslettet må ha formen tt:mm:ss[tidssone]",
    "Date and time must match pattern yyyy-MM-ddTHH:mm:ss[time zone]":
      "Dato og klokkeslett må ha formen åååå-MM-ddTtt:mm:ss[tidssone]",
    "e.g. { sample }": "f.eks. { sample }",
    "e.g. { example } ": "f.eks. { example } "
  };

  var NB = {};
  [BPMN, DMN].forEach(function (table) {
    Object.keys(table).forEach(function (key) { NB[key] = table[key]; });
  });

  // The template in bokmål when there is one, with every {name} (spaces around the name
  // allowed: dmn-js writes "{ sample }") replaced by its value; unknown names stay as written.
  function translate(template, replacements) {
    replacements = replacements || {};
    var text = Object.prototype.hasOwnProperty.call(NB, template) ? NB[template] : template;
    return text.replace(/{([^}]+)}/g, function (all, key) {
      var value = replacements[key.trim()];
      return value !== undefined && value !== null ? String(value) : all;
    });
  }

  function bokmal() {
    var lang = (document.documentElement.getAttribute("lang") || "").toLowerCase();
    return lang === "nb" || lang === "no" || lang.indexOf("nb-") === 0 || lang.indexOf("no-") === 0;
  }

  window.SamflytModelerTranslations = {
    nb: NB,
    translate: translate,
    // additionalModules for a bpmn-js or dmn-js viewer: the translate service on a bokmål page
    modules: function () {
      return bokmal() ? [{translate: ["value", translate]}] : [];
    }
  };
})();
