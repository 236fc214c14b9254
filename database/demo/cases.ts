/*
| The demo county's clinical cases: each one a whole story a radiologist would
| recognise, so that the exam item, the patient's sex and age, the history,
| the report and any critical value fit each other (a haemorrhage on a head
| CT, mammography for women, a contrast MR described with its enhancement).
| Items are named exactly as in the 川渝 catalogue (R 7.2).
*/
import type { Priority } from '#models/exam'
import type { Modality } from '#models/exam_item'

export interface Written {
  technique: string
  findings: string
  impression: string
}

export interface ClinicalCase {
  key: string
  modality: Modality
  /** the catalogue item's name (chuanyu) */
  item: string
  priority: Priority
  sex?: 'M' | 'F'
  ages: [number, number]
  department: string
  history: string
  purpose: string
  diagnosis: string
  report: Written
  /** a critical finding (code of the standard list) this report raises */
  critical?: string
  /** what the radiologist tells the clinic, and what the clinic reads back */
  criticalMessage?: [string, string]
  /** the follow-up of another case: compared with it in the report */
  followUpOf?: string
}

const CT_HEAD =
  '扫描范围：颅底至颅顶；扫描方法：横断位平扫，层厚 5 mm；重建：骨算法及软组织算法重建'
const CT_CHEST =
  '扫描范围：胸廓入口至肺底；扫描方法：横断位平扫，层厚 5 mm；重建：肺窗 1 mm 薄层重建及多平面重建'
const CTA_CHEST =
  '扫描范围：胸廓入口至肋膈角；扫描方法：经肘静脉团注碘对比剂 70 ml 后增强扫描，层厚 1 mm；重建：多平面重建及最大密度投影'

export const CASES: ClinicalCase[] = [
  // ---------------------------------------------------------------- DR
  {
    key: 'pneumonia',
    modality: 'DR',
    item: 'DR 胸部 摄影 站立后前位',
    priority: 'routine',
    ages: [20, 85],
    department: '内科',
    history: '咳嗽、咳痰 1 周，发热 2 天，最高 38.6℃。既往体健，无手术史。',
    purpose: '排除肺炎',
    diagnosis: '社区获得性肺炎？',
    report: {
      technique: '',
      findings:
        '右下肺野见斑片状密度增高影，边缘模糊，其内密度不均。余肺纹理增多、增粗。双肺门不大。心影大小、形态未见异常。右侧肋膈角稍钝。',
      impression: '1、右下肺炎症，建议治疗后复查；\n2、右侧少量胸腔积液可能。',
    },
  },
  {
    key: 'pneumonia_follow_up',
    modality: 'DR',
    item: 'DR 胸部 摄影 站立后前位',
    priority: 'routine',
    ages: [20, 85],
    department: '内科',
    followUpOf: 'pneumonia',
    history: '右下肺炎抗感染治疗 2 周后复查，咳嗽明显好转，无发热。',
    purpose: '复查肺炎吸收情况',
    diagnosis: '右下肺炎治疗后',
    report: {
      technique: '',
      findings:
        '原右下肺野斑片状影基本吸收，残留少许条索影。双肺门不大。心影大小、形态未见异常。双侧肋膈角锐利。',
      impression: '右下肺炎症基本吸收，残留少许纤维条索。',
    },
  },
  {
    key: 'chest_checkup',
    modality: 'DR',
    item: 'DR 胸部 摄影 站立后前位',
    priority: 'routine',
    ages: [30, 75],
    department: '体检科',
    history: '健康体检，无咳嗽、胸痛。高血压病史 5 年，规律服药。',
    purpose: '常规胸部检查',
    diagnosis: '高血压病',
    report: {
      technique: '',
      findings:
        '胸廓对称，气管居中。双肺纹理清晰，走行自然，双肺野未见明确实变及结节影。双肺门不大。心影大小、形态未见异常。双侧膈面光整，双侧肋膈角锐利。',
      impression: '心、肺、膈未见明确异常。',
    },
  },
  {
    key: 'colles',
    modality: 'DR',
    item: 'DR 右侧腕关节 摄影 正侧位',
    priority: 'emergency',
    sex: 'F',
    ages: [50, 85],
    department: '外科',
    history: '跌倒时右手撑地，右腕肿痛、畸形 3 小时，活动受限。',
    purpose: '排除桡骨远端骨折',
    diagnosis: '右腕外伤',
    report: {
      technique: '',
      findings:
        '右桡骨远端见横行透亮骨折线，远折端向背侧移位约 0.3 cm，呈“餐叉样”畸形，腕关节面未受累。尺骨茎突骨质连续。周围软组织肿胀。',
      impression: '右桡骨远端骨折（Colles 骨折），建议复位固定后复查。',
    },
  },
  {
    key: 'lumbar_degeneration',
    modality: 'DR',
    item: 'DR 腰椎 摄影 正侧位',
    priority: 'routine',
    ages: [45, 80],
    department: '内科',
    history: '反复腰痛 2 年，加重 1 月，久坐后明显，无外伤史。',
    purpose: '评估腰椎退行性变',
    diagnosis: '腰肌劳损？',
    report: {
      technique: '',
      findings:
        '腰椎生理曲度变直，椎体序列连续。L3–L5 椎体边缘骨质增生，呈唇样改变。L4/5 椎间隙变窄。附件未见明确异常。椎旁软组织未见肿胀。',
      impression: '腰椎退行性变，L4/5 椎间盘病变可能，建议必要时 MRI 检查。',
    },
  },
  {
    key: 'knee_oa',
    modality: 'DR',
    item: 'DR 左侧膝关节 摄影 正侧位',
    priority: 'routine',
    ages: [55, 85],
    department: '外科',
    history: '左膝关节疼痛 3 月，上下楼加重，无外伤史。',
    purpose: '评估膝关节骨性关节炎',
    diagnosis: '左膝骨关节炎？',
    report: {
      technique: '',
      findings:
        '左膝关节诸骨边缘骨质增生，胫骨髁间隆起变尖，内侧关节间隙变窄，关节面下骨质硬化。髌骨上下缘骨质增生。未见明确骨折线。周围软组织未见肿胀。',
      impression: '左膝关节退行性骨关节病。',
    },
  },
  {
    key: 'mammography',
    modality: 'DR',
    item: 'DR 双乳 钼靶摄影 轴斜位',
    priority: 'routine',
    sex: 'F',
    ages: [40, 65],
    department: '妇产科',
    history: '乳腺癌筛查，无乳房肿块及乳头溢液，无乳腺手术史。',
    purpose: '乳腺癌筛查',
    diagnosis: '健康筛查',
    report: {
      technique: '',
      findings:
        '双乳呈不均匀致密型（c 型）腺体。双乳未见明确肿块影、结构扭曲及可疑钙化。双侧皮肤、乳头未见异常。双侧腋前见小淋巴结影，形态及密度未见异常。',
      impression: '双乳未见明确恶性征象，BI-RADS 1 类，建议每年常规筛查。',
    },
  },
  {
    key: 'cervical_degeneration',
    modality: 'DR',
    item: 'DR 颈椎 摄影 正侧位',
    priority: 'routine',
    ages: [40, 75],
    department: '内科',
    history: '颈肩部酸痛 3 月，低头工作后加重，无上肢麻木。',
    purpose: '评估颈椎退行性变',
    diagnosis: '颈椎病？',
    report: {
      technique: '',
      findings:
        '颈椎生理曲度变直，C4–C6 椎体前后缘骨质增生，C5/6 椎间隙变窄，相应椎间孔稍变窄。项韧带见条状钙化。',
      impression: '颈椎退行性变，C5/6 椎间盘病变可能。',
    },
  },
  {
    key: 'tension_pneumothorax',
    modality: 'DR',
    item: 'DR 胸部 摄影 站立后前位',
    priority: 'emergency',
    sex: 'M',
    ages: [18, 40],
    department: '急诊科',
    history: '突发右侧胸痛伴呼吸困难 1 小时，进行性加重，既往体健。',
    purpose: '排除气胸',
    diagnosis: '自发性气胸？',
    report: {
      technique: '',
      findings:
        '右侧胸腔见大片无肺纹理透亮区，右肺向肺门压缩约 80%，纵隔及气管向左侧移位，右侧膈肌低平。左肺纹理清晰。',
      impression: '右侧张力性气胸（右肺压缩约 80%），纵隔左移，请临床紧急处理。',
    },
    critical: 'TENSION_PTX',
    criticalMessage: [
      '右侧大量气胸，右肺压缩约80%，纵隔向左移位',
      '右侧大量气胸，右肺压缩约80%，纵隔左移',
    ],
  },
  {
    key: 'perforation',
    modality: 'DR',
    item: 'DR 腹部 摄影 立位',
    priority: 'emergency',
    ages: [40, 80],
    department: '外科',
    history: '突发上腹部剧痛 3 小时，查体板状腹。既往胃溃疡病史 6 年。',
    purpose: '排除消化道穿孔',
    diagnosis: '消化道穿孔？',
    report: {
      technique: '',
      findings: '双侧膈下见新月形游离气体影，右侧为著。肠管未见明显扩张，未见气液平面。',
      impression: '膈下游离气体，考虑消化道穿孔，请临床紧急处理。',
    },
    critical: 'PERFORATION',
    criticalMessage: ['双侧膈下见游离气体，考虑消化道穿孔', '膈下游离气体，消化道穿孔'],
  },
  {
    key: 'bowel_obstruction',
    modality: 'DR',
    item: 'DR 腹部 摄影 立位',
    priority: 'emergency',
    ages: [55, 85],
    department: '外科',
    history: '腹胀、呕吐伴停止排气排便 2 天。既往阑尾切除术史。',
    purpose: '排除肠梗阻',
    diagnosis: '肠梗阻？',
    report: {
      technique: '',
      findings:
        '中上腹见多发扩张小肠肠管，最宽约 4.2 cm，并见多个阶梯状气液平面。结肠内气体较少。膈下未见游离气体。',
      impression: '急性小肠梗阻（机械性可能大），请临床紧急处理。',
    },
    critical: 'OBSTRUCTION',
    criticalMessage: ['小肠多发扩张积液伴气液平，考虑急性肠梗阻', '小肠扩张气液平，急性肠梗阻'],
  },
  {
    key: 'chilaiditi',
    modality: 'DR',
    item: 'DR 腹部 摄影 立位',
    priority: 'emergency',
    ages: [55, 85],
    department: '内科',
    history: '上腹部隐痛 1 天，伴恶心，无呕吐。',
    purpose: '排除消化道穿孔',
    diagnosis: '腹痛待查',
    report: {
      technique: '',
      findings:
        '右膈下见含气肠管影，其内可见结肠袋结构，位置随体位无变化。左膈下未见游离气体。肠管未见明显扩张及气液平面。',
      impression: '右膈下结肠间位（Chilaiditi 征），未见膈下游离气体，请结合临床。',
    },
  },
  // ---------------------------------------------------------------- CT
  {
    key: 'ich',
    modality: 'CT',
    item: 'CT 头部 平扫',
    priority: 'emergency',
    ages: [50, 85],
    department: '内科',
    history: '突发头痛伴呕吐 2 小时，右侧肢体无力。既往高血压 10 年，未规律服药。',
    purpose: '排除脑出血',
    diagnosis: '脑出血？',
    report: {
      technique: CT_HEAD,
      findings:
        '左侧基底节区见团片状高密度影，大小约 3.2 cm×2.1 cm，CT 值约 65 HU，边界清楚，周围见低密度水肿带，左侧侧脑室受压变窄，中线结构右移约 0.4 cm。双侧半卵圆中心见斑点状低密度影。',
      impression:
        '1、左侧基底节区脑出血（估计出血量约 8 ml），伴周围水肿及轻度占位效应；\n2、双侧半卵圆中心腔隙性脑梗死。',
    },
    critical: 'ICH',
    criticalMessage: [
      '左侧基底节区急性脑出血，量约8ml，中线右移4mm',
      '左侧基底节区急性脑出血约8ml，中线右移',
    ],
  },
  {
    key: 'head_ct_normal',
    modality: 'CT',
    item: 'CT 头部 平扫',
    priority: 'routine',
    ages: [35, 80],
    department: '内科',
    history: '反复头晕 1 月，无肢体无力及言语障碍。',
    purpose: '排除颅内病变',
    diagnosis: '头晕待查',
    report: {
      technique: CT_HEAD,
      findings:
        '脑实质内未见异常密度影，灰白质分界清楚。脑室系统大小、形态正常，脑沟、脑裂、脑池未见增宽，中线结构居中。颅骨骨质未见明确异常。',
      impression: '头颅 CT 平扫未见明确异常。',
    },
  },
  {
    key: 'stroke_ct',
    modality: 'CT',
    item: 'CT 头部 平扫',
    priority: 'emergency',
    ages: [60, 85],
    department: '内科',
    history: '左侧肢体无力 3 小时，言语含糊。既往糖尿病、高血压。',
    purpose: '排除脑出血',
    diagnosis: '急性脑卒中？',
    report: {
      technique: CT_HEAD,
      findings:
        '脑实质内未见异常高密度影。双侧基底节区及侧脑室旁见多发斑点状低密度影，边界清楚。脑室系统稍扩大，脑沟增宽，中线结构居中。',
      impression:
        '1、颅内未见出血；\n2、双侧基底节区及侧脑室旁多发腔隙性脑梗死（陈旧性）；\n3、脑萎缩。\n急性脑梗死早期 CT 可为阴性，建议 MRI（DWI）检查。',
    },
  },
  {
    key: 'cholecystitis',
    modality: 'CT',
    item: 'CT 上腹部 平扫',
    priority: 'routine',
    ages: [35, 75],
    department: '外科',
    history: '右上腹痛 1 天，伴恶心，墨菲征阳性，进食油腻后加重。',
    purpose: '排除胆囊炎、胆石症',
    diagnosis: '急性胆囊炎？',
    report: {
      technique:
        '扫描范围：膈顶至肾下极；扫描方法：横断位平扫，层厚 5 mm；重建：冠状位及矢状位重建',
      findings:
        '胆囊增大，壁增厚约 0.5 cm，周围脂肪间隙模糊，腔内见多发高密度结石影，最大径约 1.1 cm。肝脏大小、形态正常，密度均匀。胰腺、脾脏、双肾未见异常。',
      impression: '1、急性胆囊炎；\n2、胆囊多发结石。',
    },
  },
  {
    key: 'lung_nodule',
    modality: 'CT',
    item: 'CT 胸部 平扫',
    priority: 'routine',
    sex: 'M',
    ages: [50, 80],
    department: '内科',
    history: '咳嗽 1 月，痰中带血 1 周，吸烟 30 年。',
    purpose: '排除肺部占位',
    diagnosis: '肺部占位？',
    report: {
      technique: CT_CHEST,
      findings:
        '右肺上叶后段见一实性结节，大小约 1.2 cm×1.0 cm，边缘见分叶及短毛刺，邻近胸膜牵拉，CT 值约 35 HU。双肺下叶见少许条索影。纵隔内见数枚小淋巴结，短径均小于 1.0 cm。双侧胸腔未见积液。',
      impression:
        '1、右肺上叶后段结节，考虑周围型肺癌可能性大，建议增强 CT 或穿刺活检；\n2、双肺下叶少许纤维灶。',
    },
  },
  {
    key: 'chest_ct_normal',
    modality: 'CT',
    item: 'CT 胸部 平扫',
    priority: 'routine',
    ages: [35, 75],
    department: '内科',
    history: '慢性咳嗽 2 月，无发热、咯血。',
    purpose: '排除肺部病变',
    diagnosis: '慢性咳嗽',
    report: {
      technique: CT_CHEST,
      findings:
        '胸廓对称。双肺纹理清晰，双肺野未见明确实变、结节及肿块影。气管及各叶段支气管通畅。纵隔居中，纵隔内未见肿大淋巴结。心脏及大血管形态、密度未见异常。双侧胸膜未见增厚，胸腔未见积液。',
      impression: '胸部 CT 平扫未见明确异常。',
    },
  },
  {
    key: 'rib_fractures',
    modality: 'CT',
    item: 'CT 胸部 平扫',
    priority: 'emergency',
    ages: [25, 65],
    department: '急诊科',
    history: '车祸伤后右侧胸痛 1 小时，呼吸时加重。',
    purpose: '排除肋骨骨折、气胸',
    diagnosis: '胸部外伤',
    report: {
      technique: CT_CHEST,
      findings:
        '右侧第 5、6、7 肋腋段骨皮质断裂，断端轻度错位。右侧胸壁软组织肿胀。双肺未见挫伤及实变，胸腔未见积气、积液。纵隔居中。',
      impression: '右侧第 5–7 肋骨骨折，未见气胸及血胸。',
    },
  },
  {
    key: 'pulmonary_embolism',
    modality: 'CT',
    item: 'CT 胸部 增强',
    priority: 'emergency',
    ages: [45, 80],
    department: '外科',
    history: '右股骨骨折术后第 5 天突发胸闷、气促，血氧饱和度 88%，D-二聚体明显升高。',
    purpose: '排除肺动脉栓塞',
    diagnosis: '肺栓塞？',
    report: {
      technique: CTA_CHEST,
      findings:
        '右肺动脉主干及左下肺动脉内见条状充盈缺损，管腔部分闭塞。右心室稍增大，室间隔平直。双肺下叶见少许斑片状磨玻璃影。双侧胸腔少量积液。',
      impression:
        '1、右肺动脉主干及左下肺动脉栓塞；\n2、右心负荷增加征象；\n3、双肺下叶少许渗出，双侧少量胸腔积液。',
    },
    critical: 'PE',
    criticalMessage: [
      '右肺动脉主干及左下肺动脉充盈缺损，考虑急性肺栓塞',
      '右肺动脉主干充盈缺损，急性肺栓塞',
    ],
  },
  {
    key: 'aortic_dissection',
    modality: 'CT',
    item: 'CT 胸部 增强',
    priority: 'emergency',
    sex: 'M',
    ages: [45, 75],
    department: '急诊科',
    history: '突发胸背部撕裂样疼痛 2 小时，高血压病史 8 年，血压 190/110 mmHg。',
    purpose: '排除主动脉夹层',
    diagnosis: '主动脉夹层？',
    report: {
      technique: CTA_CHEST,
      findings:
        '升主动脉、主动脉弓至降主动脉内见线样内膜片，将管腔分为真、假两腔，假腔较大，破口位于升主动脉根部上方约 2 cm。升主动脉增宽，最大径约 4.8 cm。心包少量积液。',
      impression:
        '主动脉夹层（Stanford A 型），累及升主动脉、主动脉弓及降主动脉；心包少量积液。请临床紧急处理。',
    },
    critical: 'AORTIC_DISSECTION',
    criticalMessage: [
      '主动脉弓至降主动脉见内膜片，考虑主动脉夹层（Stanford A型）',
      '主动脉夹层，Stanford A型',
    ],
  },
  {
    key: 'lumbar_disc_ct',
    modality: 'CT',
    item: 'CT 腰椎 平扫',
    priority: 'routine',
    ages: [30, 70],
    department: '外科',
    history: '腰痛伴左下肢放射痛 1 月，直腿抬高试验左侧阳性。',
    purpose: '评估椎间盘突出',
    diagnosis: '腰椎间盘突出症？',
    report: {
      technique:
        '扫描范围：L3 至 S1；扫描方法：横断位平扫，层厚 3 mm；重建：椎间盘层面及矢状位重建',
      findings:
        'L4/5 椎间盘向左后方突出，约 0.5 cm，硬膜囊及左侧神经根受压。L5/S1 椎间盘向后膨出。L3–L5 椎体边缘骨质增生。',
      impression: '1、L4/5 椎间盘突出（左后型）；\n2、L5/S1 椎间盘膨出；\n3、腰椎退行性变。',
    },
  },
  {
    key: 'sinusitis',
    modality: 'CT',
    item: 'CT 鼻窦 平扫',
    priority: 'routine',
    ages: [18, 60],
    department: '五官科',
    history: '反复鼻塞、流脓涕 3 月，伴头痛。',
    purpose: '评估鼻窦炎',
    diagnosis: '慢性鼻窦炎？',
    report: {
      technique:
        '扫描范围：额窦至上颌窦下壁；扫描方法：横断位平扫，层厚 2 mm；重建：冠状位骨算法重建',
      findings:
        '双侧上颌窦及筛窦黏膜增厚，窦腔内见软组织密度影填充，窦壁骨质未见破坏。双侧窦口鼻道复合体欠通畅。鼻中隔稍向左偏曲。',
      impression: '1、双侧上颌窦、筛窦炎；\n2、鼻中隔偏曲。',
    },
  },
  // ---------------------------------------------------------------- MR
  {
    key: 'small_vessel',
    modality: 'MR',
    item: 'MR 颅脑 平扫',
    priority: 'routine',
    ages: [55, 85],
    department: '内科',
    history: '反复头晕 2 月，伴右侧耳鸣，无肢体无力。',
    purpose: '排除颅内占位及缺血灶',
    diagnosis: '后循环缺血？',
    report: {
      technique: '横断位：T1WI，T2WI，FLAIR，DWI；矢状位：T1WI',
      findings:
        '双侧侧脑室周围及半卵圆中心见多发斑点状 T1WI 稍低、T2WI 及 FLAIR 稍高信号影，DWI 未见弥散受限。脑室系统稍扩大，脑沟增宽。中线结构居中。',
      impression: '1、缺血性脑白质病变，改良 Fazekas 2 级；\n2、老年性脑改变。',
    },
  },
  {
    key: 'acute_infarct',
    modality: 'MR',
    item: 'MR 颅脑 平扫',
    priority: 'emergency',
    ages: [55, 85],
    department: '内科',
    history: '右侧肢体麻木无力 1 天，头颅 CT 未见出血。',
    purpose: '明确有无急性脑梗死',
    diagnosis: '急性脑梗死？',
    report: {
      technique: '横断位：T1WI，T2WI，FLAIR，DWI；矢状位：T1WI',
      findings:
        '左侧放射冠区见斑片状 DWI 高信号影，ADC 值减低，T2WI 及 FLAIR 呈稍高信号，大小约 1.5 cm×1.0 cm，无占位效应。双侧侧脑室旁见少许斑点状 FLAIR 高信号影。中线结构居中。',
      impression: '1、左侧放射冠区急性期脑梗死；\n2、缺血性脑白质病变，改良 Fazekas 1 级。',
    },
  },
  {
    key: 'lumbar_disc_mr',
    modality: 'MR',
    item: 'MR 腰椎 平扫',
    priority: 'routine',
    ages: [30, 70],
    department: '外科',
    history: '腰痛伴左下肢放射痛 3 月，保守治疗无效。',
    purpose: '评估椎间盘突出及神经根受压',
    diagnosis: '腰椎间盘突出症',
    report: {
      technique: '矢状位：T1WI，T2WI，T2WI-FS；横断位：T2WI',
      findings:
        '腰椎生理曲度变直，椎体序列连续。L4/5 椎间盘 T2WI 信号减低，向左后方突出，压迫硬膜囊及左侧神经根。L5/S1 椎间盘信号减低，向后轻度膨出。L3–L5 椎体终板见 Modic Ⅱ型改变。',
      impression:
        '1、L4/5 椎间盘突出（左后型），左侧神经根受压；\n2、L5/S1 椎间盘膨出；\n3、腰椎退行性变。',
    },
  },
  {
    key: 'lumbar_mr_normal',
    modality: 'MR',
    item: 'MR 腰椎 平扫',
    priority: 'routine',
    ages: [25, 55],
    department: '外科',
    history: '腰痛 1 月，无下肢放射痛及麻木。',
    purpose: '排除椎间盘突出',
    diagnosis: '腰痛待查',
    report: {
      technique: '矢状位：T1WI，T2WI，T2WI-FS；横断位：T2WI',
      findings:
        '腰椎生理曲度存在，椎体序列连续。各椎体信号未见异常。各椎间盘信号及形态未见异常，椎管未见狭窄。脊髓圆锥位置、形态及信号未见异常。',
      impression: '腰椎 MRI 平扫未见明确异常。',
    },
  },
  {
    key: 'meniscus',
    modality: 'MR',
    item: 'MR 右侧膝关节 平扫',
    priority: 'routine',
    ages: [18, 50],
    department: '外科',
    history: '打球时右膝扭伤后肿痛 2 周，伴交锁感。',
    purpose: '评估半月板及韧带损伤',
    diagnosis: '右膝半月板损伤？',
    report: {
      technique: '矢状位：T1WI，PDWI-FS；冠状位：PDWI-FS；横断位：PDWI-FS',
      findings:
        '右膝内侧半月板后角内见线样 PDWI 高信号影，达关节面下缘。前交叉韧带走行连续，信号稍增高。股骨内髁软骨变薄。关节腔及髌上囊见少量积液。',
      impression:
        '1、右膝内侧半月板后角撕裂（Ⅲ度信号）；\n2、前交叉韧带损伤（部分）；\n3、关节腔少量积液。',
    },
  },
  {
    key: 'cervical_myelopathy',
    modality: 'MR',
    item: 'MR 颈椎 平扫',
    priority: 'routine',
    ages: [45, 75],
    department: '外科',
    history: '颈肩痛伴双手麻木 6 月，持物不稳 1 月。',
    purpose: '评估颈椎管狭窄及脊髓受压',
    diagnosis: '脊髓型颈椎病？',
    report: {
      technique: '矢状位：T1WI，T2WI，T2WI-FS；横断位：T2WI',
      findings:
        '颈椎生理曲度变直。C4/5、C5/6 椎间盘 T2WI 信号减低，向后突出，压迫硬膜囊及颈髓前缘，C5/6 水平颈髓内见小片状 T2WI 稍高信号影。',
      impression: '1、C4/5、C5/6 椎间盘突出，颈髓受压；\n2、C5/6 水平颈髓变性可能，建议结合临床。',
    },
  },
  {
    key: 'meningioma',
    modality: 'MR',
    item: 'MR 头部 增强',
    priority: 'special',
    sex: 'F',
    ages: [40, 70],
    department: '内科',
    history: '反复头痛 3 月，外院头颅 CT 示右额部占位。',
    purpose: '明确占位性质',
    diagnosis: '颅内占位',
    report: {
      technique: '横断位：T1WI，T2WI，FLAIR，DWI，T1WI+C；矢状位：T1WI+C；冠状位：T1WI+C',
      findings:
        '右侧额部凸面见一类圆形肿块，以宽基底与硬脑膜相连，大小约 3.0 cm×2.6 cm，T1WI 呈等信号，T2WI 呈稍高信号，DWI 未见明显弥散受限；增强扫描病灶明显均匀强化，可见“脑膜尾征”。邻近脑实质受压，周围见轻度水肿。中线结构居中。',
      impression: '右侧额部凸面肿块，考虑脑膜瘤可能性大，建议神经外科会诊。',
    },
  },
]

export const CASE_BY_KEY = new Map(CASES.map((c) => [c.key, c]))
