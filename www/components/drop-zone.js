// drop-zone.js: a place to give files: its file input, and files dropped on it. Fires `files`
// with the files as `detail`; what they are for is the step's business.
export class DropZone extends EventTarget {
  constructor(zone, input) {
    super();
    input.addEventListener('change', () => {
      this.#give([...input.files]);
      input.value = '';
    });
    zone.addEventListener('dragover', (e) => {
      e.preventDefault();
      zone.classList.add('over');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('over'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      e.stopPropagation(); // given here, not again by the element's own drop listener
      zone.classList.remove('over');
      this.#give([...(e.dataTransfer?.files ?? [])]);
    });
  }

  #give(files) {
    this.dispatchEvent(new CustomEvent('files', { detail: files }));
  }
}
