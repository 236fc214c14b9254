import DicomSender from '#models/dicom_sender'
import ExamItem from '#models/exam_item'
import Institution from '#models/institution'
import User from '#models/user'
import { can } from '#app/platform/http/can'
import { recordById as byId } from '#app/platform/http/use_case'

/** Administration's pipeline steps (AdministrationPolicy) and the records its routes name by id. */
export const mayAdminister = can('AdministrationPolicy', 'manage')

export const institutionTarget = byId('institution', (id) => Institution.find(id))
export const userTarget = byId('user', (id) => User.find(id))
export const dicomSenderTarget = byId('dicom_sender', (id) => DicomSender.find(id))
export const examItemTarget = byId('exam_item', (id) => ExamItem.find(id))
