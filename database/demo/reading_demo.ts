/*
| The demo county's reading: the older exams read and signed by the lead
| hospital (a junior writes, an intermediate or senior doctor signs), a few
| amended, some in review, some being written (one returned with a comment),
| and the newest waiting in the queue. Realistic Chinese findings and
| impressions, written through the same SignOff service the app uses, with a
| ManualClock so report times fall within the turnaround limits.
*/
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import Exam from '#models/exam'
import User from '#models/user'
import { ManualClock } from '#app/platform/clock'
import { OrthancClient } from '#app/orthanc/orthanc_client'
import { SignOff } from '#app/reading/services/sign_off'
import { ReportContext, examName, workingVersion } from '#app/reading/services/report_context'
import { loadStarterSet } from '#app/reading/services/templates'

interface Written {
  technique: string
  findings: string
  impression: string
}

/** Findings and impressions by body region: [normal, abnormal]. */
const LIBRARY: Array<{ match: RegExp; dr?: [Written, Written]; ct?: [Written, Written]; mr?: [Written, Written] }> = [
  {
    match: /胸|肺|肋/,
    dr: [
      { technique: '', findings: '胸廓对称，气管居中。双肺纹理清晰，走行自然，双肺野未见明确实变及结节影。双肺门不大。心影大小、形态未见异常。双侧膈面光整，双侧肋膈角锐利。', impression: '心、肺、膈未见明确异常。' },
      { technique: '', findings: '右下肺野见斑片状密度增高影，边缘模糊，其内密度不均。余肺纹理增多、增粗。双肺门不大。心影大小、形态未见异常。右侧肋膈角变钝。', impression: '1、右下肺炎症，建议治疗后复查；\n2、右侧少量胸腔积液可能。' },
    ],
    ct: [
      { technique: '扫描范围：胸廓入口至肺底；扫描方法：横断位平扫，层厚 5 mm；重建：肺窗 1 mm 薄层重建及多平面重建', findings: '胸廓对称。双肺纹理清晰，双肺野未见明确实变、结节及肿块影。气管及各叶段支气管通畅。纵隔居中，纵隔内未见肿大淋巴结。心脏及大血管形态、密度未见异常。双侧胸膜未见增厚，胸腔未见积液。', impression: '胸部 CT 平扫未见明确异常。' },
      { technique: '扫描范围：胸廓入口至肺底；扫描方法：横断位平扫，层厚 5 mm；重建：肺窗 1 mm 薄层重建及多平面重建', findings: '右肺上叶后段见一实性结节，大小约 1.2 cm×1.0 cm，边缘见分叶及短毛刺，邻近胸膜牵拉，CT 值约 35 HU。双肺下叶见少许条索影。纵隔内见数枚小淋巴结，短径均小于 1.0 cm。双侧胸腔未见积液。', impression: '1、右肺上叶后段结节，考虑周围型肺癌可能性大，建议增强 CT 或穿刺活检；\n2、双肺下叶少许纤维灶。' },
    ],
  },
  {
    match: /头|颅|脑/,
    ct: [
      { technique: '扫描范围：颅底至颅顶；扫描方法：横断位平扫，层厚 5 mm；重建：骨算法及软组织算法重建', findings: '脑实质内未见异常密度影，灰白质分界清楚。脑室系统大小、形态正常，脑沟、脑裂、脑池未见增宽，中线结构居中。颅骨骨质未见明确异常。', impression: '头颅 CT 平扫未见明确异常。' },
      { technique: '扫描范围：颅底至颅顶；扫描方法：横断位平扫，层厚 5 mm；重建：骨算法及软组织算法重建', findings: '左侧基底节区见团片状高密度影，大小约 3.2 cm×2.1 cm，CT 值约 65 HU，边界清楚，周围见低密度水肿带，左侧侧脑室受压变窄，中线结构右移约 0.4 cm。双侧半卵圆中心见斑点状低密度影。', impression: '1、左侧基底节区脑出血（估计出血量约 8 ml），伴周围水肿及轻度占位效应；\n2、双侧半卵圆中心腔隙性脑梗死。' },
    ],
    mr: [
      { technique: '横断位：T1WI，T2WI，FLAIR，DWI；矢状位：T1WI', findings: '脑实质内未见异常信号影，灰白质分界清楚。DWI 未见弥散受限。脑室系统大小、形态正常，脑沟、脑裂未见增宽，中线结构居中。', impression: '头颅 MRI 平扫未见明确异常。' },
      { technique: '横断位：T1WI，T2WI，FLAIR，DWI；矢状位：T1WI', findings: '双侧侧脑室周围及半卵圆中心见多发斑点状 T1WI 稍低、T2WI 及 FLAIR 稍高信号影，DWI 上信号不高。右侧小脑半球见一小斑片状 DWI 高信号影，ADC 值减低。脑室系统稍扩大，脑沟增宽。中线结构居中。', impression: '1、右侧小脑半球急性期脑梗死；\n2、缺血性脑白质病变，改良 Fazekas 2 级；\n3、老年性脑改变。' },
    ],
  },
  {
    match: /颈椎/,
    dr: [
      { technique: '', findings: '颈椎序列连续，生理曲度存在。各椎体形态及骨质密度未见异常，椎间隙未见狭窄，椎间孔未见变窄。椎前软组织未见增厚。', impression: '颈椎未见明确异常。' },
      { technique: '', findings: '颈椎生理曲度变直，C4–C6 椎体前后缘骨质增生，C5/6 椎间隙变窄，相应椎间孔稍变窄。项韧带见条状钙化。', impression: '颈椎退行性变，C5/6 椎间盘病变可能。' },
    ],
    ct: [
      { technique: '扫描范围：C2 至 T1；扫描方法：横断位平扫，层厚 2 mm；重建：矢状位及冠状位重建', findings: '颈椎序列连续，各椎体形态及骨质密度未见异常。各椎间盘未见明确突出，椎管及椎间孔未见狭窄。', impression: '颈椎 CT 平扫未见明确异常。' },
      { technique: '扫描范围：C2 至 T1；扫描方法：横断位平扫，层厚 2 mm；重建：矢状位及冠状位重建', findings: 'C4/5、C5/6 椎间盘向后突出，硬膜囊受压，相应层面椎管前后径约 1.0 cm。C4–C6 椎体边缘骨质增生，后纵韧带未见钙化。', impression: '1、C4/5、C5/6 椎间盘突出，椎管轻度狭窄；\n2、颈椎退行性变。' },
    ],
    mr: [
      { technique: '矢状位：T1WI，T2WI，T2WI-FS；横断位：T2WI', findings: '颈椎生理曲度存在，椎体序列连续，各椎体信号未见异常。各椎间盘信号及形态未见异常，椎管未见狭窄。颈髓形态及信号未见异常。', impression: '颈椎 MRI 平扫未见明确异常。' },
      { technique: '矢状位：T1WI，T2WI，T2WI-FS；横断位：T2WI', findings: '颈椎生理曲度变直。C4/5、C5/6 椎间盘 T2WI 信号减低，向后突出，压迫硬膜囊及颈髓前缘，C5/6 水平颈髓内见小片状 T2WI 稍高信号影。', impression: '1、C4/5、C5/6 椎间盘突出，颈髓受压；\n2、C5/6 水平颈髓变性可能，建议结合临床。' },
    ],
  },
  {
    match: /腰椎|胸椎|骶|尾|脊柱/,
    dr: [
      { technique: '', findings: '椎体序列连续，生理曲度存在。各椎体形态及骨质密度未见异常，椎间隙未见狭窄，附件未见异常。椎旁软组织未见肿胀。', impression: '所摄椎体未见明确异常。' },
      { technique: '', findings: '腰椎生理曲度变直，椎体序列连续。L3–L5 椎体边缘骨质增生，呈唇样改变。L4/5 椎间隙变窄。附件未见明确异常。', impression: '腰椎退行性变，L4/5 椎间盘病变可能，建议必要时 MRI 检查。' },
    ],
    ct: [
      { technique: '扫描范围：L3 至 S1；扫描方法：横断位平扫，层厚 3 mm；重建：椎间盘层面及矢状位重建', findings: '腰椎序列连续，各椎体形态未见异常。各椎间盘未见明确突出，椎管未见狭窄，黄韧带未见增厚。', impression: '腰椎 CT 平扫未见明确异常。' },
      { technique: '扫描范围：L3 至 S1；扫描方法：横断位平扫，层厚 3 mm；重建：椎间盘层面及矢状位重建', findings: 'L4/5 椎间盘向左后方突出，约 0.5 cm，硬膜囊及左侧神经根受压。L5/S1 椎间盘向后膨出。L3–L5 椎体边缘骨质增生。', impression: '1、L4/5 椎间盘突出（左后型）；\n2、L5/S1 椎间盘膨出；\n3、腰椎退行性变。' },
    ],
    mr: [
      { technique: '矢状位：T1WI，T2WI，T2WI-FS；横断位：T2WI', findings: '腰椎生理曲度存在，椎体序列连续。各椎体信号未见异常。各椎间盘信号及形态未见异常，椎管未见狭窄。脊髓圆锥位置、形态及信号未见异常。', impression: '腰椎 MRI 平扫未见明确异常。' },
      { technique: '矢状位：T1WI，T2WI，T2WI-FS；横断位：T2WI', findings: '腰椎生理曲度变直，椎体序列连续。L4/5 椎间盘 T2WI 信号减低，向左后方突出，压迫硬膜囊及左侧神经根。L5/S1 椎间盘信号减低，向后轻度膨出。L3–L5 椎体终板见 Modic Ⅱ型改变。', impression: '1、L4/5 椎间盘突出（左后型），左侧神经根受压；\n2、L5/S1 椎间盘膨出；\n3、腰椎退行性变。' },
    ],
  },
  {
    match: /腕|桡|尺/,
    dr: [
      { technique: '', findings: '腕关节诸骨骨质结构完整，骨皮质连续，未见明确骨折线。关节间隙正常，关节面光整。周围软组织未见肿胀。', impression: '腕关节未见明确骨折。' },
      { technique: '', findings: '桡骨远端见横行透亮骨折线，远折端向背侧移位约 0.3 cm，腕关节面受累。尺骨茎突骨质连续。周围软组织肿胀。', impression: '桡骨远端骨折（Colles 骨折），建议复位后复查。' },
    ],
  },
  {
    match: /膝|髌/,
    mr: [
      { technique: '矢状位：T1WI，PDWI-FS；冠状位：PDWI-FS；横断位：PDWI-FS', findings: '膝关节诸骨信号未见异常。内、外侧半月板形态及信号未见异常。前、后交叉韧带及内、外侧副韧带连续，信号未见异常。关节腔未见积液。', impression: '膝关节 MRI 平扫未见明确异常。' },
      { technique: '矢状位：T1WI，PDWI-FS；冠状位：PDWI-FS；横断位：PDWI-FS', findings: '内侧半月板后角内见线样 PDWI 高信号影，达关节面下缘。前交叉韧带走行连续，信号稍增高。股骨内髁软骨变薄。关节腔及髌上囊见少量积液。', impression: '1、内侧半月板后角撕裂（Ⅲ度信号）；\n2、前交叉韧带损伤（部分）；\n3、关节腔少量积液。' },
    ],
  },
  {
    match: /膝|髋|肩|肘|腕|手|足|踝|跟|股骨|胫|腓|尺|桡|肱|关节|骨盆|锁骨|髌|指|趾/,
    dr: [
      { technique: '', findings: '所摄骨质结构完整，骨皮质连续，未见明确骨折线。关节间隙正常，关节面光整。周围软组织未见肿胀。', impression: '所摄部位骨质未见明确异常。' },
      { technique: '', findings: '所摄关节诸骨边缘骨质增生，关节间隙不均匀变窄，关节面下骨质硬化。未见明确骨折线。周围软组织未见肿胀。', impression: '所摄关节退行性骨关节病。' },
    ],
    ct: [
      { technique: '扫描方法：横断位平扫，层厚 2 mm；重建：多平面重建及容积再现', findings: '所扫描诸骨骨质结构完整，骨皮质连续，未见明确骨折线。关节对位良好，关节间隙正常。周围软组织未见异常。', impression: '所查部位 CT 平扫未见明确骨折。' },
      { technique: '扫描方法：横断位平扫，层厚 2 mm；重建：多平面重建及容积再现', findings: '所扫描骨质见斜行骨折线，断端轻度错位，周围见少许碎骨片，关节面未受累。周围软组织肿胀。', impression: '所查部位骨折，断端轻度错位，建议骨科诊治。' },
    ],
    mr: [
      { technique: '矢状位：T1WI，PDWI-FS；冠状位：PDWI-FS；横断位：PDWI-FS', findings: '关节诸骨信号未见异常。关节软骨连续，关节周围韧带及肌腱走行连续，信号未见异常。关节腔未见积液。', impression: '所查关节 MRI 平扫未见明确异常。' },
      { technique: '矢状位：T1WI，PDWI-FS；冠状位：PDWI-FS；横断位：PDWI-FS', findings: '关节构成骨见斑片状骨髓水肿信号，PDWI-FS 呈高信号。关节周围韧带信号增高，部分纤维连续性欠佳。关节腔少量积液。', impression: '1、骨挫伤；\n2、关节周围韧带损伤（部分撕裂可能）；\n3、关节腔少量积液。' },
    ],
  },
  {
    match: /腹|肝|胆|胰|脾|肾|盆/,
    ct: [
      { technique: '扫描范围：膈顶至盆底；扫描方法：横断位平扫，层厚 5 mm；重建：冠状位及矢状位重建', findings: '肝脏大小、形态正常，肝实质密度均匀，未见异常密度影。胆囊不大，壁不厚，腔内未见异常密度影。胰腺、脾脏形态及密度未见异常。双肾形态、密度未见异常。腹膜后未见肿大淋巴结。', impression: '腹部 CT 平扫未见明确异常。' },
      { technique: '扫描范围：膈顶至盆底；扫描方法：横断位平扫，层厚 5 mm；重建：冠状位及矢状位重建', findings: '胆囊增大，壁增厚约 0.5 cm，周围脂肪间隙模糊，腔内见多发高密度结石影，最大径约 1.1 cm。肝脏密度均匀。胰腺、脾脏、双肾未见异常。', impression: '1、急性胆囊炎；\n2、胆囊多发结石。' },
    ],
  },
]

const GENERIC: Record<'DR' | 'CT' | 'MR', [Written, Written]> = {
  DR: [
    { technique: '', findings: '所摄部位骨质结构完整，骨皮质连续，未见明确骨质破坏及骨折征象。周围软组织未见异常。', impression: '所摄部位未见明确异常。' },
    { technique: '', findings: '所摄骨质边缘见骨质增生，骨质密度减低，骨小梁稀疏。未见明确骨折线。', impression: '退行性骨关节病，骨质疏松。' },
  ],
  CT: [
    { technique: '扫描方法：横断位平扫，层厚 5 mm；重建：多平面重建', findings: '所扫描范围内各结构形态、密度未见明确异常，未见明确占位性病变。', impression: 'CT 平扫未见明确异常。' },
    { technique: '扫描方法：横断位平扫，层厚 5 mm；重建：多平面重建', findings: '双侧上颌窦及筛窦黏膜增厚，窦腔内见软组织密度影填充，窦壁骨质未见破坏。鼻中隔稍向左偏曲。', impression: '双侧上颌窦、筛窦炎；鼻中隔偏曲。' },
  ],
  MR: [
    { technique: '横断位：T1WI，T2WI；矢状位：T2WI；冠状位：T2WI-FS', findings: '所扫描范围内各结构形态及信号未见明确异常，未见明确占位性病变。', impression: 'MRI 平扫未见明确异常。' },
    { technique: '横断位：T1WI，T2WI；矢状位：T2WI；冠状位：T2WI-FS', findings: '颈椎生理曲度变直，C4/5、C5/6 椎间盘向后突出，硬膜囊受压，相应层面椎管稍窄，脊髓未见异常信号。', impression: 'C4/5、C5/6 椎间盘突出，椎管轻度狭窄。' },
  ],
}

function reportFor(exam: Exam, abnormal: boolean): Written {
  const parts = exam.items.map((i) => `${i.bodyPart}${i.sourceName}`).join(' ')
  const key = exam.modality === 'DR' ? 'dr' : exam.modality === 'CT' ? 'ct' : 'mr'
  const entry = LIBRARY.find((e) => e.match.test(parts) && e[key])
  const pair = entry?.[key] ?? GENERIC[exam.modality as 'DR' | 'CT' | 'MR']
  const written = pair[abnormal ? 1 : 0]
  // X-ray technique names the body part, position and projection (B): the item's own name says it.
  return { ...written, technique: written.technique || exam.items.map((i) => `DR ${i.sourceName}`).join('；') }
}

export class ReadingDemo {
  constructor(protected log: (message: string) => void = () => {}) {}

  async seed() {
    const orthanc = await app.container.make(OrthancClient)
    const clock = new ManualClock(DateTime.utc())
    const context = new ReportContext(orthanc)
    const signOff = new SignOff(clock, context)
    const [junior, mid, senior] = await Promise.all(['rad.junior', 'rad.mid', 'rad.senior'].map((u) => User.findByOrFail('username', u)))
    await loadStarterSet(senior.id)

    const exams = await Exam.query()
      .where('in_reading_queue', true)
      .whereNotNull('images_received_at')
      .preload('items')
      .orderBy('images_received_at', 'asc')
    const counts = { signed: 0, amended: 0, pendingReview: 0, inProgress: 0, returned: 0, waiting: 0 }
    // All but the newest eighteen were read; two of the older ones are left overdue (one unread, one unreviewed).
    const old = exams.slice(0, Math.max(0, exams.length - 18))
    const recent = exams.slice(old.length)
    const stages = new Map<number, 'signed' | 'pending_review' | 'in_progress' | 'waiting'>()
    old.forEach((e, i) => stages.set(e.id, i === old.length - 1 ? 'waiting' : i === old.length - 2 ? 'pending_review' : 'signed'))
    recent.forEach((e, i) => stages.set(e.id, i < 4 ? 'pending_review' : i < 8 ? 'in_progress' : 'waiting'))

    for (const [i, exam] of exams.entries()) {
      const received = exam.imagesReceivedAt!
      const abnormal = i % 3 === 1
      const written = reportFor(exam, abnormal)
      const stage = stages.get(exam.id)!
      if (stage === 'waiting') {
        counts.waiting++
        continue
      }
      // Claimed soon after arrival; reports take from a quarter of an hour to a few hours.
      clock.set(received.plus({ minutes: 8 + (i % 7) * 3 }))
      await signOff.claim(junior, exam)
      const content = { ...written, ...(await this.comparison(context, exam, abnormal)) }
      const revision = async () => (await workingVersion(exam.id))!.revision
      if (stage === 'in_progress') {
        await signOff.saveDraft(junior, exam, content, await revision())
        counts.inProgress++
        if (counts.inProgress === 1) {
          // One was returned by the senior with a comment, and waits for its author.
          clock.advance({ minutes: 25 })
          await signOff.submit(junior, exam, content, await revision())
          clock.advance({ minutes: 15 })
          await signOff.returnToAuthor(senior, exam, '诊断结论请与影像描述顺序一致，并补充建议。', await revision(), null)
          counts.returned++
        }
        continue
      }
      clock.advance({ minutes: 20 + (i % 5) * 6 })
      await signOff.submit(junior, exam, content, await revision())
      if (stage === 'pending_review') {
        counts.pendingReview++
        continue
      }
      clock.advance({ minutes: 10 + (i % 4) * 5 })
      // Now and then the reviewer sharpens the impression before signing (and so signs as its last modifier, B).
      const reviewer = i % 2 === 0 ? mid : senior
      const edited = i % 5 === 0 ? { ...content, impression: content.impression.replace(/。?$/, '。请结合临床。') } : null
      await signOff.sign(reviewer, exam, edited, await revision())
      counts.signed++

      if (abnormal && counts.amended < 3 && i % 4 === 1) {
        clock.advance({ hours: 2 })
        const amendment = await signOff.amend(senior, exam, '复阅时发现诊断结论表述需补充，经科室讨论修订。')
        const amendedContent = { ...content, impression: `${content.impression}\n补充：建议 1 个月后复查对比。` }
        clock.advance({ minutes: 20 })
        await signOff.submit(senior, exam, amendedContent, amendment.revision)
        clock.advance({ minutes: 10 })
        await signOff.sign(mid, exam, null, await revision())
        counts.amended++
      }
    }
    this.log(
      `reading: ${counts.signed} reports signed (${counts.amended} amended), ${counts.pendingReview} awaiting review, ` +
        `${counts.inProgress} being written (${counts.returned} returned), ${counts.waiting} waiting in the queue`
    )
    return counts
  }

  /** B: when the patient had a comparable exam before, the report compares with it and names its date. */
  protected async comparison(context: ReportContext, exam: Exam, abnormal: boolean) {
    const priors = (await context.priors(exam)).filter((p) => p.comparable)
    if (!priors.length) return {}
    const prior = priors[0]
    const date = prior.examDate.toFormat('yyyy-MM-dd')
    return {
      priorExamId: prior.exam.id,
      comparison: `与 ${date} ${examName(prior.exam)} 比较，${abnormal ? '本次新见病变，余大致同前' : '未见明显变化'}。`,
    }
  }
}
