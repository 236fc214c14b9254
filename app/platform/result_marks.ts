/*
| The mutual-recognition mark of a result (川渝HR, BJHR…, R 6.4) as the rest of
| the product shows it: the report PDF, the viewer's overlay, FHIR's meta tag.
| The recognition capability decides which exam earns which mark and provides
| it here; every other capability only asks. Until a provider is registered
| (or for an exam that earns none) the answer is null: no mark is ever shown
| by default.
*/
export interface ResultMark {
  /** The mark as printed, e.g. "川渝HR". */
  code: string
  /** The catalogue it comes from, for the tooltip and the FHIR tag's display. */
  catalogue: string
}

export type ResultMarkProvider = (examIds: number[]) => Promise<Map<number, ResultMark>>

class ResultMarks {
  #provider: ResultMarkProvider | null = null

  provide(provider: ResultMarkProvider) {
    if (this.#provider) throw new Error('a result-mark provider is already registered')
    this.#provider = provider
  }

  async forExams(examIds: number[]): Promise<Map<number, ResultMark>> {
    if (!this.#provider || examIds.length === 0) return new Map()
    return this.#provider(examIds)
  }

  async forExam(examId: number): Promise<ResultMark | null> {
    return (await this.forExams([examId])).get(examId) ?? null
  }
}

export const resultMarks = new ResultMarks()
