/*
| The common imaging critical values (危急值, C 3.3: findings that threaten the
| patient's life and need immediate clinical action). Seeded on a fresh
| installation; administrators then maintain the list (add, rename, change
| the acknowledgement deadline, retire). Ten minutes is the default deadline
| before the alert escalates to the clinic's head and the duty desk.
*/

export const FINDING_CATEGORIES = ['neuro', 'spine', 'chest', 'abdomen', 'pelvis', 'other'] as const
export type FindingCategory = (typeof FINDING_CATEGORIES)[number]

export const DEFAULT_ACK_MINUTES = 10

export interface DefaultFinding {
  code: string
  name: string
  nameEn: string
  category: FindingCategory
  ackMinutes: number
}

export const DEFAULT_CRITICAL_FINDINGS: DefaultFinding[] = [
  {
    code: 'ICH',
    name: '急性颅内出血（脑实质出血、蛛网膜下腔出血、硬膜下/硬膜外血肿）',
    nameEn: 'Acute intracranial haemorrhage (parenchymal, subarachnoid, subdural or epidural)',
    category: 'neuro',
    ackMinutes: 10,
  },
  {
    code: 'INFARCT_MASS',
    name: '大面积脑梗死伴占位效应',
    nameEn: 'Large cerebral infarction with mass effect',
    category: 'neuro',
    ackMinutes: 10,
  },
  {
    code: 'HERNIATION',
    name: '脑疝',
    nameEn: 'Brain herniation',
    category: 'neuro',
    ackMinutes: 10,
  },
  {
    code: 'SPINE_UNSTABLE',
    name: '不稳定脊柱骨折或脊髓受压',
    nameEn: 'Unstable spinal fracture or spinal cord compression',
    category: 'spine',
    ackMinutes: 10,
  },
  {
    code: 'AORTIC_DISSECTION',
    name: '主动脉夹层',
    nameEn: 'Aortic dissection',
    category: 'chest',
    ackMinutes: 10,
  },
  {
    code: 'AORTIC_RUPTURE',
    name: '主动脉瘤破裂或先兆破裂',
    nameEn: 'Ruptured or impending rupture of aortic aneurysm',
    category: 'chest',
    ackMinutes: 10,
  },
  {
    code: 'TENSION_PTX',
    name: '张力性气胸',
    nameEn: 'Tension pneumothorax',
    category: 'chest',
    ackMinutes: 10,
  },
  {
    code: 'PE',
    name: '肺动脉栓塞',
    nameEn: 'Pulmonary embolism',
    category: 'chest',
    ackMinutes: 10,
  },
  {
    code: 'TAMPONADE',
    name: '大量心包积液伴心包填塞',
    nameEn: 'Large pericardial effusion with tamponade',
    category: 'chest',
    ackMinutes: 10,
  },
  {
    code: 'AIRWAY_FB',
    name: '气管或主支气管异物',
    nameEn: 'Foreign body in the trachea or main bronchus',
    category: 'chest',
    ackMinutes: 10,
  },
  {
    code: 'PERFORATION',
    name: '消化道穿孔（膈下游离气体）',
    nameEn: 'Bowel perforation (free subdiaphragmatic air)',
    category: 'abdomen',
    ackMinutes: 10,
  },
  {
    code: 'OBSTRUCTION',
    name: '急性肠梗阻',
    nameEn: 'Acute bowel obstruction',
    category: 'abdomen',
    ackMinutes: 10,
  },
  { code: 'VOLVULUS', name: '肠扭转', nameEn: 'Volvulus', category: 'abdomen', ackMinutes: 10 },
  {
    code: 'MESENTERIC',
    name: '急性肠系膜血管栓塞或缺血',
    nameEn: 'Acute mesenteric embolism or ischaemia',
    category: 'abdomen',
    ackMinutes: 10,
  },
  {
    code: 'ORGAN_RUPTURE',
    name: '肝、脾、肾等实质脏器破裂出血',
    nameEn: 'Rupture of a solid organ (liver, spleen, kidney) with haemorrhage',
    category: 'abdomen',
    ackMinutes: 10,
  },
  {
    code: 'ECTOPIC_RUPTURE',
    name: '异位妊娠破裂出血',
    nameEn: 'Ruptured ectopic pregnancy',
    category: 'pelvis',
    ackMinutes: 10,
  },
  {
    code: 'TESTICULAR_TORSION',
    name: '睾丸扭转',
    nameEn: 'Testicular torsion',
    category: 'pelvis',
    ackMinutes: 10,
  },
  {
    code: 'OVARIAN_TORSION',
    name: '卵巢扭转',
    nameEn: 'Ovarian torsion',
    category: 'pelvis',
    ackMinutes: 10,
  },
  {
    code: 'FLAIL_CHEST',
    name: '多发肋骨骨折伴连枷胸',
    nameEn: 'Multiple rib fractures with flail chest',
    category: 'chest',
    ackMinutes: 10,
  },
  {
    code: 'OESOPHAGEAL',
    name: '食管异物或食管破裂',
    nameEn: 'Oesophageal foreign body or rupture',
    category: 'chest',
    ackMinutes: 10,
  },
]
