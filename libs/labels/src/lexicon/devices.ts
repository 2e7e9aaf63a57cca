import type { Lexicon } from './types.ts';

const SIDE = String.raw`(?:(?:right|left|r|l)[- ](?:sided\s+)?)?`;

/**
 * Synonyms per device label of schemas/vocabularies/device-labels.v1.json. Generic words ("catheter", "line")
 * name a central venous catheter only when nothing more specific (PICC, Swan-Ganz, chest tube) covers them.
 * An enteric tube not named nasogastric or orogastric (Dobhoff, nasoenteric, PEG, "enteric tube") is a feeding tube.
 */
export const DEVICE_LEXICON: Lexicon = {
  'endotracheal tube': {
    terms: [
      String.raw`\bendotracheal\b`,
      String.raw`\bet\s*tube\b`,
      String.raw`\bett\b`,
      String.raw`\bintubat(?:ed|ion)\b`,
      String.raw`\bbreathing tube\b`,
    ],
    absentTerms: [String.raw`\bextubat(?:ed|ion)\b`],
    yieldsTo: ['tracheostomy tube'],
  },
  'tracheostomy tube': {
    terms: [
      String.raw`\btracheostomy\b`,
      String.raw`\btracheotomy\b`,
      String.raw`\btrach(?:eal)?\s+tube\b`,
      String.raw`\btrach\b`,
    ],
  },
  'nasogastric tube': {
    terms: [
      String.raw`\bnasogastric\b`,
      String.raw`\bng\s*(?:-|\s)?tube\b`,
      String.raw`\bngt\b`,
      String.raw`\bsalem sump\b`,
    ],
  },
  'orogastric tube': {
    terms: [String.raw`\borogastric\b`, String.raw`\bog\s*(?:-|\s)?tube\b`, String.raw`\bogt\b`],
  },
  'feeding tube': {
    terms: [
      String.raw`\bfeeding tube\b`,
      String.raw`\bdob-?\s?hoff\b`,
      String.raw`\b(?:naso)?enteric (?:feeding )?tube\b`,
      String.raw`\bnaso(?:jejunal|duodenal)\b`,
      String.raw`\bgastric tube\b`,
      String.raw`\bgastrostomy\b`,
      String.raw`\bg-?tube\b`,
      String.raw`\bpeg tube\b`,
      String.raw`\bj-?tube\b`,
      String.raw`\bkeofeed\b`,
    ],
    yieldsTo: ['nasogastric tube', 'orogastric tube'],
  },
  'central venous catheter': {
    terms: [
      String.raw`\bcentral (?:venous )?(?:catheter|line|access)s?\b`,
      String.raw`\bcvc\b`,
      String.raw`\b${SIDE}(?:internal jugular|ij|subclavian|femoral|jugular|brachiocephalic)(?:\s+vein)?\s+(?:central\s+)?(?:venous\s+)?(?:catheter|line|approach|port|cvc|introducer|sheath|dialysis catheter)s?\b`,
      String.raw`\b(?:triple|double|dual|single)[- ]lumen\b`,
      String.raw`\bport-?a-?cath\b`,
      String.raw`\bmediport\b`,
      String.raw`\b(?:chest|venous|infusion|power)[- ]?port\b`,
      String.raw`\bport (?:catheter|reservoir|device)\b`,
      String.raw`\b(?:hemo)?dialysis (?:catheter|line)s?\b`,
      String.raw`\bpermacath\b`,
      String.raw`\bperm-?cath\b`,
      String.raw`\btunne(?:l)?led (?:catheter|line)\b`,
      String.raw`\bhickman\b`,
      String.raw`\bvenous catheters?\b`,
      String.raw`\bcatheters?\b`,
      String.raw`\blines? (?:tip|terminat\w*|courses?|extends?|ends?)\b`,
      String.raw`\bintroducer sheath\b`,
    ],
    yieldsTo: ['picc', 'swan-ganz catheter', 'chest tube', 'pacemaker or icd'],
  },
  picc: {
    // The trailing "line"/"catheter" is part of the mention so the generic central-line terms yield to it.
    terms: [
      String.raw`\bpicc(?:\s+(?:line|catheter))?\b`,
      String.raw`\bperipherally inserted (?:central )?(?:venous )?catheter\b`,
      String.raw`\bpic line\b`,
    ],
  },
  'swan-ganz catheter': {
    terms: [
      String.raw`\bswan[- ]?ganz(?:\s+catheter)?\b`,
      String.raw`\bswan(?:\s+catheter)?\b`,
      String.raw`\bpulmonary arter(?:y|ial) catheter\b`,
      String.raw`\bpa catheter\b`,
      String.raw`\bright heart catheter\b`,
    ],
  },
  'chest tube': {
    terms: [
      String.raw`\bchest tubes?\b`,
      String.raw`\bpleural catheters?\b`,
      String.raw`\bthoracostomy(?:\s+tubes?)?\b`,
      String.raw`\bpleural (?:drain|drainage|catheter|tube)s?\b`,
      String.raw`\bpigtail(?:\s+(?:catheter|drain))?\b`,
      String.raw`\bpleurx\b`,
      String.raw`\bmediastinal drains?\b`,
    ],
    absentTerms: [String.raw`\bchest tube removal\b`],
  },
  'pacemaker or icd': {
    terms: [
      String.raw`\bpacemakers?\b`,
      String.raw`\bpacers?\b`,
      String.raw`\bpacing (?:leads?|wires?|device|generator)\b`,
      String.raw`\bicd\b`,
      String.raw`\baicd\b`,
      String.raw`\b(?:cardioverter[- ])?defibrillator\b`,
      String.raw`\b(?:dual|single|triple|biventricular|transvenous|epicardial|atrial|ventricular|cardiac)[- ](?:chamber\s+)?(?:pacing\s+)?leads?\b`,
      String.raw`\bleads? (?:terminat\w*|in the right|project\w*|overl\w*)\b`,
      String.raw`\bcardiac (?:XXXX\s+)?device\b`,
      String.raw`\bgenerator\b`,
    ],
  },
  'sternotomy wires': {
    terms: [
      String.raw`\bsternotomy\b`,
      String.raw`\bsternal (?:wires?|sutures?|cerclage|XXXX)\b`,
      String.raw`\bsternal (?:fixation|plates?)\b`,
      String.raw`\bmedian sternotomy\b`,
      String.raw`\bcerclage wires?\b`,
    ],
  },
  'surgical clips': {
    terms: [
      String.raw`\bclips?\b`,
      String.raw`\bstaples?\b`,
      String.raw`\bsutures? (?:line|material|chain)s?\b`,
      String.raw`\bsurgical sutures?\b`,
      String.raw`\bsuture\b`,
    ],
  },
  stent: {
    terms: [
      String.raw`\bstents?\b`,
      String.raw`\bstented\b`,
      String.raw`\bstent-?graft\b`,
      String.raw`\bendograft\b`,
      String.raw`\bendovascular (?:graft|repair)\b`,
    ],
  },
  'other medical device': {
    terms: [
      String.raw`\bprosthe(?:sis|ses|tic)\b`,
      String.raw`\b(?:aortic|mitral|tricuspid|pulmonic|cardiac) valve (?:replacement|prosthesis|repair|annuloplasty)\b`,
      String.raw`\bvalve replacement\b`,
      String.raw`\bloop recorder\b`,
      String.raw`\b(?:ventriculoperitoneal|vp|ventriculoatrial) shunt\b`,
      String.raw`\bshunt (?:tubing|catheter)\b`,
      String.raw`\bhardware\b`,
      String.raw`\b(?:fixation|fusion) (?:plate|rods?|screws?|hardware)\b`,
      String.raw`\bscrews?\b`,
      String.raw`\barthroplasty\b`,
      String.raw`\bbreast (?:implants?|prosthes\w+|expanders?)\b`,
      String.raw`\btissue expanders?\b`,
      String.raw`\bivc filter\b`,
      String.raw`\b(?:intra-?aortic )?balloon pump\b`,
      String.raw`\biabp\b`,
      String.raw`\blvad\b`,
      String.raw`\bventricular assist device\b`,
      String.raw`\bimpella\b`,
      String.raw`\b(?:embolization )?coils?\b`,
      String.raw`\bkyphoplasty\b`,
      String.raw`\bvertebroplasty\b`,
      String.raw`\bforeign bod(?:y|ies)\b`,
      String.raw`\b(?:ekg|ecg|monitoring|telemetry) (?:leads?|wires?|electrodes?|pads?)\b`,
      String.raw`\bbullets?\b`,
      String.raw`\bbuckshot\b`,
      String.raw`\bshrapnel\b`,
      String.raw`\bmetallic (?:fragments?|densit\w+|foreign)\b`,
      String.raw`\bnerve stimulator\b`,
      String.raw`\bimplant(?:ed|able)? (?:device|pump|port)\b`,
    ],
    yieldsTo: ['central venous catheter', 'pacemaker or icd'],
  },
};
