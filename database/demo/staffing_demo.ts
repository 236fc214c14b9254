/*
| The demo county's equipment, imaging staff and one saved staffing plan, made
| through the same services the pages use, so the calculator shows real gaps:
| the lead hospital lacks a mammography unit (C 6.1) and is short of doctors,
| one township has no DR yet (C 6.2), and a few certificates have expired or
| run out within 60 days.
*/
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import Institution from '#models/institution'
import User from '#models/user'
import type { EquipmentKind, EquipmentStatus } from '#models/equipment'
import type { Profession } from '#models/staff_member'
import type { CertificateKind } from '#models/staff_certificate'
import type { Title } from '#app/access/roles'
import { EquipmentRegister } from '#app/equipment/services/equipment_register'
import { StaffRoster } from '#app/staffing/services/staff_roster'
import { StaffingPlans } from '#app/staffing/services/staffing_plans'
import { StaffingRatios } from '#app/staffing/services/staffing_ratios'
import { REQUIRED_CERTIFICATES } from '#app/staffing/services/certificate_rules'
import { emptyWorkload } from '#app/staffing/services/staffing_rules'

type DeviceSpec = [
  EquipmentKind,
  string,
  {
    contrast?: boolean
    status?: EquipmentStatus
    installed?: string
    qcMonthsAgo?: number | null
    model?: string
  }?,
]

const EQUIPMENT: Record<string, DeviceSpec[]> = {
  LEAD: [
    ['dr', 'LEAD-DR-01', { model: '联影 uDR 780i', installed: '2019-03-18', qcMonthsAgo: 4 }],
    ['dr', 'LEAD-DR-02', { model: '万东 新东方1000', installed: '2021-09-02', qcMonthsAgo: 14 }],
    [
      'mobile_dr',
      'LEAD-MDR-01',
      { model: '联影 uDR 370i', installed: '2022-01-10', qcMonthsAgo: 6 },
    ],
    [
      'digital_gi',
      'LEAD-GI-01',
      { model: '岛津 SONIALVISION G4', installed: '2018-06-20', qcMonthsAgo: 9 },
    ],
    [
      'ct',
      'LEAD-CT-01',
      { contrast: true, model: '联影 uCT 760', installed: '2020-05-11', qcMonthsAgo: 2 },
    ],
    [
      'ct',
      'LEAD-CT-02',
      { contrast: true, model: 'GE Revolution ACT', installed: '2023-04-26', qcMonthsAgo: 3 },
    ],
    [
      'mri',
      'LEAD-MR-01',
      { contrast: true, model: '联影 uMR 580 1.5T', installed: '2021-11-15', qcMonthsAgo: 5 },
    ],
    ['dxa', 'LEAD-DXA-01', { model: 'Hologic Horizon', installed: '2022-08-08', qcMonthsAgo: 8 }],
  ],
  M01: [
    ['dr', 'M01-DR-01', { model: '万东 新东方1000', installed: '2020-10-09', qcMonthsAgo: 7 }],
    [
      'ct',
      'M01-CT-01',
      { contrast: true, model: '东软 NeuViz 16', installed: '2022-12-01', qcMonthsAgo: 5 },
    ],
  ],
  M02: [['dr', 'M02-DR-01', { model: '联影 uDR 370i', installed: '2021-04-12', qcMonthsAgo: 10 }]],
  M03: [
    ['dr', 'M03-DR-01', { model: '万东 新东方1000', installed: '2019-07-30', qcMonthsAgo: 11 }],
    ['dr', 'M03-DR-02', { model: '联影 uDR 370i', installed: '2024-03-05', qcMonthsAgo: null }],
  ],
  M04: [
    [
      'dr',
      'M04-DR-01',
      { model: '安健 DR', installed: '2018-05-21', qcMonthsAgo: 16, status: 'under_repair' },
    ],
  ],
  // M05 (community centre) has no DR yet: C 6.2 shows it missing.
  M05: [],
}

/** [staff no, name, profession, title, FTE, login username or null, certificate exceptions] */
type PersonSpec = [
  string,
  string,
  Profession,
  Title,
  number,
  string | null,
  Partial<Record<CertificateKind, 'missing' | 'expired' | 'expiring' | 'no_scope'>>?,
]

const ROSTER: Record<string, PersonSpec[]> = {
  LEAD: [
    ['D001', '李初', 'doctor', 'junior', 1, 'rad.junior'],
    ['D002', '王中', 'doctor', 'intermediate', 1, 'rad.mid'],
    ['D003', '张高', 'doctor', 'senior', 1, 'rad.senior', { radiation_worker: 'expiring' }],
    ['D004', '刘建军', 'doctor', 'junior', 1, null, { physician_practice: 'no_scope' }],
    ['D005', '陈丽', 'doctor', 'junior', 1, null],
    ['D006', '杨志强', 'doctor', 'intermediate', 0.5, null, { radiation_worker: 'missing' }],
    ['T001', '黄敏', 'technologist', 'intermediate', 1, null],
    ['T002', '赵红梅', 'technologist', 'junior', 1, null, { radiation_worker: 'expired' }],
    ['T003', '吴德华', 'technologist', 'junior', 1, null],
    ['T004', '周建', 'technologist', 'junior', 1, null],
    ['N001', '孙静', 'nurse', 'intermediate', 1, null],
    ['N002', '郭芳', 'nurse', 'junior', 0.5, null, { nurse_practice: 'expiring' }],
  ],
  M01: [
    ['M01-D1', '胡伟', 'doctor', 'intermediate', 1, null],
    ['M01-T1', '林勇', 'technologist', 'junior', 1, null],
    ['M01-T2', '罗艳', 'technologist', 'junior', 1, null],
    ['M01-N1', '陈护士', 'nurse', 'junior', 1, null],
  ],
  M02: [
    ['M02-D1', '杨医生', 'doctor', 'junior', 1, null],
    ['M02-T1', '郑杰', 'technologist', 'junior', 1, null],
  ],
  M03: [
    ['M03-T1', '梁娟', 'technologist', 'junior', 1, null],
    ['M03-T2', '谢涛', 'technologist', 'intermediate', 1, null],
    ['M03-T3', '宋明', 'technologist', 'junior', 0.5, null],
  ],
  M04: [
    ['M04-T1', '唐超', 'technologist', 'junior', 1, null],
    ['M04-T2', '许霞', 'technologist', 'junior', 1, null],
  ],
  M05: [],
}

const CERTIFICATE_CODES: Record<CertificateKind, string> = {
  physician_qualification: 'ZG',
  physician_practice: 'ZY',
  radiation_worker: 'FS',
  technologist_title: 'JS',
  nurse_qualification: 'HZ',
  nurse_practice: 'HS',
}

export interface StaffingDemoReport {
  devices: number
  staff: number
  certificates: number
  plans: number
}

export async function seedStaffingDemo(
  log: (message: string) => void = () => {}
): Promise<StaffingDemoReport> {
  log('equipment register, imaging staff roster and a staffing plan (C 6, C 7)…')
  const register = await app.container.make(EquipmentRegister)
  const roster = await app.container.make(StaffRoster)
  const ratios = await app.container.make(StaffingRatios)
  const plans = await app.container.make(StaffingPlans)
  await ratios.current()

  const today = roster.today()
  const institution = async (code: string) => Institution.findByOrFail('code', code)
  const day = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' })

  let devices = 0
  for (const [code, specs] of Object.entries(EQUIPMENT)) {
    const owner = await institution(code)
    for (const [kind, assetNo, extra = {}] of specs) {
      const installed = extra.installed ? day(extra.installed) : null
      const qc =
        extra.qcMonthsAgo === null || extra.qcMonthsAgo === undefined
          ? null
          : today.minus({ months: extra.qcMonthsAgo })
      await register.add({
        institutionId: owner.id,
        kind,
        assetNo,
        model: extra.model ?? null,
        manufacturer: null,
        contrastCapable: extra.contrast ?? false,
        status: extra.status ?? 'in_service',
        installedOn: installed,
        lastQcOn: qc && installed && qc < installed ? installed : qc,
        notes: null,
      })
      devices++
    }
  }

  let staff = 0
  let certificates = 0
  for (const [code, people] of Object.entries(ROSTER)) {
    const owner = await institution(code)
    for (const [staffNo, fullName, profession, title, fte, username, exceptions = {}] of people) {
      const user = username ? await User.findBy('username', username) : null
      const person = await roster.addPerson({
        institutionId: owner.id,
        staffNo,
        fullName,
        profession,
        title,
        fte,
        userId: user?.id ?? null,
        active: true,
      })
      staff++
      for (const kind of REQUIRED_CERTIFICATES[profession]) {
        const exception = exceptions[kind]
        if (exception === 'missing') continue
        // Qualification certificates do not expire; licences and the radiation-worker certificate do.
        const expires =
          kind === 'physician_qualification' ||
          kind === 'nurse_qualification' ||
          kind === 'technologist_title'
            ? null
            : exception === 'expired'
              ? today.minus({ days: 12 })
              : exception === 'expiring'
                ? today.plus({ days: 35 })
                : today.plus({ years: 2, days: staffNo.length * 17 })
        await roster.addCertificate(person, {
          kind,
          number: `${staffNo}-${CERTIFICATE_CODES[kind]}`,
          imagingScope: kind === 'physician_practice' && exception !== 'no_scope',
          issuedOn: today.minus({ years: 3 }),
          expiresOn: expires,
        })
        certificates++
      }
    }
  }

  // One saved what-if: next year's county workload, with CT up 20%.
  const admin = await User.findByOrFail('username', 'admin')
  const read = {
    ...emptyWorkload(),
    ct_plain: 30000,
    mri_plain: 7200,
    dr: 64000,
    ct_contrast: 4800,
    mri_contrast: 1500,
  }
  const performed = {
    ...emptyWorkload(),
    ct_plain: 16000,
    mri_plain: 7200,
    dr: 26000,
    ct_contrast: 4800,
    mri_contrast: 1500,
  }
  await plans.save(
    admin,
    {
      name: `${today.year + 1} 年预测：CT +20%`,
      notes: `按全县 ${today.year} 年门急诊量估算，CT 平扫与增强各增长 20%`,
    },
    {
      source: 'typed',
      typed: { read, performed },
      adjustments: { ...emptyWorkload(), ct_plain: 20, ct_contrast: 20 },
    }
  )
  log(`${devices} devices, ${staff} staff with ${certificates} certificates, 1 staffing plan`)
  return { devices, staff, certificates, plans: 1 }
}
