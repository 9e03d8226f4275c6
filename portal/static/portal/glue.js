// Copy buttons: <button class="glue-copy" data-copy="text">.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".glue-copy");
  if (!button) return;
  navigator.clipboard.writeText(button.dataset.copy).then(() => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});
