import type Exam from '#models/exam'
import ReportTemplate from '#models/report_template'
import PhraseTemplate, { type PhraseSection } from '#models/phrase_template'

/*
| C 8.4.2: "书写报告时可根据项目、诊断提供选择模板". Templates are chosen by
| exam item (modality + body part) and by diagnosis; phrase templates are the
| department's reusable sentences per section. Both are maintained by the
| department's 中级+ doctors (ReadingPolicy.maintainTemplates).
*/

function partsOf(exam: Exam) {
  return (exam.$preloaded.items ? exam.items : []).map((item) =>
    item.bodyPart.replace(/[（(].*?[)）]/g, '')
  )
}

/** Does a template's body part fit one of the exam's items (either names the other: 胸部 ~ 胸部(婴幼儿))? */
export function templateFits(
  template: Pick<ReportTemplate, 'modality' | 'bodyPart'>,
  modality: string,
  parts: string[]
) {
  if (template.modality && template.modality !== modality) return false
  if (!template.bodyPart) return true
  return parts.some(
    (part) => part.includes(template.bodyPart!) || template.bodyPart!.includes(part)
  )
}

/** The active templates for this exam: those for its items first, then the modality's general ones. */
export async function templatesForExam(exam: Exam, diagnosis?: string) {
  if (!exam.$preloaded.items) await exam.load('items')
  const candidates = await ReportTemplate.query()
    .where('active', true)
    .where((q) => q.whereNull('modality').orWhere('modality', exam.modality))
    .if(diagnosis, (q) => q.where('diagnosis', 'like', `%${diagnosis}%`))
    .orderBy('body_part', 'desc')
    .orderBy('diagnosis')
  const parts = partsOf(exam)
  return candidates
    .filter((t) => templateFits(t, exam.modality, parts))
    .sort((a, b) => Number(!a.bodyPart) - Number(!b.bodyPart))
}

/** Phrases for the exam's modality (and general ones), grouped by section then category. */
export async function phrasesForModality(modality: string) {
  const phrases = await PhraseTemplate.query()
    .where('active', true)
    .where((q) => q.whereNull('modality').orWhere('modality', modality))
    .orderBy('section')
    .orderBy('category')
    .orderBy('sort')
    .orderBy('id')
  const grouped: Record<PhraseSection, Record<string, PhraseTemplate[]>> = {
    technique: {},
    findings: {},
    impression: {},
  }
  for (const phrase of phrases) (grouped[phrase.section][phrase.category] ??= []).push(phrase)
  return grouped
}

/** A starting set of templates and phrases, so a department has something to adapt on day one. */
export const STARTER_TEMPLATES: Array<
  Pick<
    ReportTemplate,
    'name' | 'modality' | 'bodyPart' | 'diagnosis' | 'technique' | 'findings' | 'impression'
  >
> = [
  {
    name: '胸部正位片 · 未见异常',
    modality: 'DR',
    bodyPart: '胸部',
    diagnosis: '正常',
    technique: 'DR 胸部站立后前位摄影',
    findings:
      '胸廓对称，气管居中。双肺纹理清晰，走行自然，双肺野未见明确实变及结节影。双肺门不大。心影大小、形态未见异常。双侧膈面光整，双侧肋膈角锐利。所见骨质未见明确异常。',
    impression: '心、肺、膈未见明确异常。',
  },
  {
    name: '胸部正位片 · 肺炎',
    modality: 'DR',
    bodyPart: '胸部',
    diagnosis: '肺炎',
    technique: 'DR 胸部站立后前位摄影',
    findings:
      '右下肺野见斑片状密度增高影，边缘模糊，其内密度不均。余肺纹理增多。双肺门不大。心影大小、形态未见异常。双侧膈面光整，双侧肋膈角锐利。',
    impression: '右下肺炎症，建议治疗后复查。',
  },
  {
    name: '头颅 CT 平扫 · 未见异常',
    modality: 'CT',
    bodyPart: '头',
    diagnosis: '正常',
    technique:
      '扫描范围：颅底至颅顶；扫描方法：横断位平扫，层厚 5 mm；重建：骨算法及软组织算法重建',
    findings:
      '脑实质内未见异常密度影，灰白质分界清楚。脑室系统大小、形态正常，脑沟、脑裂、脑池未见增宽，中线结构居中。颅骨骨质未见明确异常。',
    impression: '头颅 CT 平扫未见明确异常。',
  },
  {
    name: '头颅 CT 平扫 · 脑出血',
    modality: 'CT',
    bodyPart: '头',
    diagnosis: '脑出血',
    technique:
      '扫描范围：颅底至颅顶；扫描方法：横断位平扫，层厚 5 mm；重建：骨算法及软组织算法重建',
    findings:
      '左侧基底节区见团片状高密度影，大小约 3.2 cm×2.1 cm，CT 值约 65 HU，边界清楚，周围见低密度水肿带，左侧侧脑室受压变窄，中线结构右移约 0.4 cm。余脑实质未见异常密度影。',
    impression: '左侧基底节区脑出血（估计出血量约 8 ml），伴周围水肿及轻度占位效应。',
  },
  {
    name: '胸部 CT 平扫 · 未见异常',
    modality: 'CT',
    bodyPart: '胸部',
    diagnosis: '正常',
    technique:
      '扫描范围：胸廓入口至肺底；扫描方法：横断位平扫，层厚 5 mm；重建：肺窗 1 mm 薄层重建及多平面重建',
    findings:
      '胸廓对称。双肺纹理清晰，双肺野未见明确实变、结节及肿块影。气管及各叶段支气管通畅。纵隔居中，纵隔内未见肿大淋巴结。心脏及大血管形态、密度未见异常。双侧胸膜未见增厚，胸腔未见积液。',
    impression: '胸部 CT 平扫未见明确异常。',
  },
  {
    name: '腰椎 MRI 平扫 · 椎间盘突出',
    modality: 'MR',
    bodyPart: '腰椎',
    diagnosis: '腰椎间盘突出',
    technique: '矢状位：T1WI，T2WI，T2WI-FS；横断位：T2WI',
    findings:
      '腰椎生理曲度变直，椎体序列连续。L4/5 椎间盘 T2WI 信号减低，向后方突出，压迫硬膜囊，左侧神经根受压。L5/S1 椎间盘信号减低，向后轻度膨出。椎管未见明显狭窄。脊髓圆锥位置、形态及信号未见异常。',
    impression:
      '1、L4/5 椎间盘突出（左后型），左侧神经根受压；\n2、L5/S1 椎间盘膨出；\n3、腰椎退行性变。',
  },
  {
    name: '头颅 MRI 平扫 · 未见异常',
    modality: 'MR',
    bodyPart: '头',
    diagnosis: '正常',
    technique: '横断位：T1WI，T2WI，FLAIR，DWI；矢状位：T1WI',
    findings:
      '脑实质内未见异常信号影，灰白质分界清楚。DWI 未见弥散受限。脑室系统大小、形态正常，脑沟、脑裂未见增宽，中线结构居中。',
    impression: '头颅 MRI 平扫未见明确异常。',
  },
]

export const STARTER_PHRASES: Array<
  Pick<PhraseTemplate, 'modality' | 'section' | 'category' | 'text'>
> = [
  {
    modality: 'MR',
    section: 'technique',
    category: '序列',
    text: '横断位：T1WI，T2WI，FLAIR，DWI',
  },
  { modality: 'MR', section: 'technique', category: '序列', text: '矢状位：T1WI，T2WI，T2WI-FS' },
  { modality: 'MR', section: 'technique', category: '序列', text: '冠状位：T2WI-FS' },
  {
    modality: 'CT',
    section: 'technique',
    category: '扫描',
    text: '横断位平扫，层厚 5 mm，多平面重建',
  },
  { modality: null, section: 'findings', category: '胸部', text: '双肺纹理增多、增粗，走行紊乱。' },
  { modality: null, section: 'findings', category: '胸部', text: '双侧肋膈角锐利，胸腔未见积液。' },
  { modality: null, section: 'findings', category: '骨骼', text: '所见骨质未见明确骨折征象。' },
  {
    modality: 'CT',
    section: 'findings',
    category: '头颅',
    text: '中线结构居中，脑室系统未见扩大。',
  },
  { modality: null, section: 'impression', category: '建议', text: '建议结合临床，必要时复查。' },
  { modality: null, section: 'impression', category: '建议', text: '建议进一步 CT 检查。' },
  { modality: null, section: 'impression', category: '结论', text: '未见明确异常。' },
]

/** Loads the starter set into an empty template list (never twice). Returns how many were added. */
export async function loadStarterSet(userId: number | null) {
  let added = 0
  if (Number((await ReportTemplate.query().count('* as n').firstOrFail()).$extras.n) === 0) {
    for (const template of STARTER_TEMPLATES) {
      await ReportTemplate.create({ ...template, active: true, updatedById: userId })
      added++
    }
  }
  if (Number((await PhraseTemplate.query().count('* as n').firstOrFail()).$extras.n) === 0) {
    let sort = 0
    for (const phrase of STARTER_PHRASES) {
      await PhraseTemplate.create({ ...phrase, sort: sort++, active: true, updatedById: userId })
      added++
    }
  }
  return added
}

export interface TemplateInput {
  name: string
  modality?: string | null
  bodyPart?: string | null
  diagnosis: string
  technique?: string | null
  findings: string
  impression: string
}

export interface PhraseInput {
  modality?: string | null
  section: PhraseSection
  category: string
  text: string
  sort?: number
}

/** C 8.4.2: the department keeps its own templates and phrases; every change names who made it. */
export class TemplateBook {
  async list(editId?: number) {
    const templates = await ReportTemplate.query()
      .orderBy('modality')
      .orderBy('body_part')
      .orderBy('diagnosis')
    const phrases = await PhraseTemplate.query()
      .orderBy('section')
      .orderBy('category')
      .orderBy('sort')
    const editing = editId ? (templates.find((t) => t.id === editId) ?? null) : null
    return { templates, phrases, editing }
  }

  protected fields(data: TemplateInput) {
    return {
      ...data,
      modality: data.modality ?? null,
      bodyPart: data.bodyPart || null,
      technique: data.technique ?? null,
    }
  }

  createTemplate(userId: number, data: TemplateInput) {
    return ReportTemplate.create({
      ...this.fields(data),
      active: true,
      updatedById: userId,
    } as Partial<ReportTemplate>)
  }

  async updateTemplate(userId: number, template: ReportTemplate, data: TemplateInput) {
    template.merge({ ...this.fields(data), updatedById: userId } as Partial<ReportTemplate>)
    return template.save()
  }

  async toggleTemplate(userId: number, template: ReportTemplate) {
    template.merge({ active: !template.active, updatedById: userId })
    return template.save()
  }

  createPhrase(userId: number, data: PhraseInput) {
    return PhraseTemplate.create({
      ...data,
      modality: data.modality ?? null,
      sort: data.sort ?? 0,
      active: true,
      updatedById: userId,
    } as Partial<PhraseTemplate>)
  }

  async togglePhrase(userId: number, phrase: PhraseTemplate) {
    phrase.merge({ active: !phrase.active, updatedById: userId })
    return phrase.save()
  }
}
