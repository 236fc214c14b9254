// Narrow the catalogue list as the clinic user types (名称, 部位, 方案).
const filter = document.querySelector('[data-filter-items]')
if (filter) {
  filter.addEventListener('input', () => {
    const term = filter.value.trim().toLowerCase()
    for (const label of document.querySelectorAll('[data-item-text]')) {
      const checked = label.querySelector('input').checked
      label.hidden = term !== '' && !checked && !label.dataset.itemText.toLowerCase().includes(term)
    }
  })
}
