/** The columns of data/openi/labels-negbio14.csv, for tests that write small label files of that shape. */
export const NEGBIO_COLUMNS = [
  'Atelectasis',
  'Cardiomegaly',
  'Effusion',
  'Infiltration',
  'Mass',
  'Nodule',
  'Pneumonia',
  'Pneumothorax',
  'Consolidation',
  'Edema',
  'Emphysema',
  'Fibrosis',
  'Pleural_Thickening',
  'Hernia',
];

export const negbioHeader = (): string => ['filename', ...NEGBIO_COLUMNS, 'normal'].join(',');

/** One report's row: 1 for the findings present, `normal` set when there are none. */
export const negbioRow = (uid: string, present: string[]): string =>
  [
    `CXR${uid}`,
    ...NEGBIO_COLUMNS.map((n) => (present.includes(n) ? '1' : '0')),
    present.length ? '0' : '1',
  ].join(',');
