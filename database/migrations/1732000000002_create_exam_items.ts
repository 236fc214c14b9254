import { BaseSchema } from '@adonisjs/lucid/schema'

/** The exam-item catalogue, normalised to category + body part + method + position (R 7.2). */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('exam_items', (table) => {
      table.increments('id')
      // chuanyu (川渝, 141 items) | hechi (河池, 52 items) | local
      table.string('catalogue', 16).notNullable()
      table.integer('seq').unsigned().notNullable()
      // 检查类别: DR | CT | MR ("MRI" in the sources is stored as MR)
      table.string('modality', 4).notNullable()
      table.string('region', 32).nullable()
      // 检查部位
      table.string('body_part', 64).notNullable()
      // 检查方案: 摄影, 平扫, 增强, 平扫+增强, CTA, …
      table.string('method', 32).notNullable()
      // 体位设计: 正侧位, 后前位+侧位, Tra/Cor, …
      table.string('position', 64).nullable()
      table.string('name', 160).notNullable()
      table.string('source_name', 255).notNullable()
      table.string('technique_note', 255).nullable()
      table.boolean('is_contrast').notNullable().defaultTo(false)
      table.boolean('active').notNullable().defaultTo(true)
      table.dateTime('created_at').notNullable()
      table.dateTime('updated_at').notNullable()
      table.unique(['catalogue', 'seq'])
      table.index(['modality', 'active'])
    })
  }

  async down() {
    this.schema.dropTable('exam_items')
  }
}
