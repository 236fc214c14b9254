// Narrow the catalogue list as the clinic user types (名称, 部位, 方案).
;(function () {
  var filter = document.querySelector('[data-filter-items]')
  if (!filter) return
  filter.addEventListener('input', function () {
    var term = filter.value.trim().toLowerCase()
    document.querySelectorAll('[data-item-text]').forEach(function (label) {
      var checked = label.querySelector('input').checked
      label.hidden =
        term !== '' && !checked && label.dataset.itemText.toLowerCase().indexOf(term) === -1
    })
  })
})()
