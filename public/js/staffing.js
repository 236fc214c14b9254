// Staffing calculator: show the typed-workload columns only when "typed" is chosen, the period only when "recorded".
;(function () {
  var form = document.getElementById('staffing-form')
  if (!form) return
  function sync() {
    var chosen = form.querySelector('input[name="source"]:checked')
    var source = chosen ? chosen.value : 'recorded'
    form.querySelectorAll('[data-source]').forEach(function (el) {
      var on = el.dataset.source === source
      el.hidden = !on
      el.querySelectorAll('input').forEach(function (input) {
        input.disabled = !on
      })
    })
  }
  form.querySelectorAll('input[name="source"]').forEach(function (radio) {
    radio.addEventListener('change', sync)
  })
  sync()
})()
