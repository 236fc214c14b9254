// Staffing calculator: show the typed-workload columns only when "typed" is chosen, the period only when "recorded".
const form = document.getElementById('staffing-form')

function sync() {
  const chosen = form.querySelector('input[name="source"]:checked')
  const source = chosen ? chosen.value : 'recorded'
  for (const element of form.querySelectorAll('[data-source]')) {
    const shown = element.dataset.source === source
    element.hidden = !shown
    for (const input of element.querySelectorAll('input')) input.disabled = !shown
  }
}

if (form) {
  for (const radio of form.querySelectorAll('input[name="source"]')) {
    radio.addEventListener('change', sync)
  }
  sync()
}
