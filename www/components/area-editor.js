// area-editor.js: rectangles marked on a picture, as GitHub's image-crop-element marks one: drawn
// and moved with a mouse, a pen or a finger, moved (arrows) and sized (Shift+arrows) by keys,
// removed with Delete or from the list under it. Areas are in the picture's pixels. Fires
// `change` when they changed, with what to announce as `detail` (or none); blacking them out is
// the evidence step's job.
import { h } from '../dom.js';

const MAX_AREAS = 100;
const KEY_STEP = 0.01; // arrow keys move or resize an area by 1 % of the picture (Ctrl: 10 %)

export class AreaEditor extends EventTarget {
  areas = [];
  width = 0;
  height = 0;
  disabled = false; // no drawing while the areas are being blacked out
  #el;
  #t;
  #help;

  /** Edits in `el` (the stage, `.add-area` and the `.areas` list); `help` is the hint's id. */
  constructor(el, t, help) {
    super();
    this.#el = el;
    this.#t = t;
    this.#help = help;
    const q = (sel) => el.querySelector(sel);
    q('.add-area').addEventListener('click', () => {
      // A new area in the middle, a fifth of the picture each way, to move and size by keys.
      const w = Math.max(1, Math.round(this.width / 5));
      const h = Math.max(1, Math.round(this.height / 5));
      this.#add({ x: Math.round((this.width - w) / 2), y: Math.round((this.height - h) / 2), w, h });
    });
    q('.areas').addEventListener('click', (e) => {
      const button = e.target.closest('button[data-area]');
      if (button) this.#remove(Number(button.dataset.area));
    });
    q('.boxes').addEventListener('keydown', (e) => {
      const box = e.target.closest('.box');
      if (!box) return;
      const i = Number(box.dataset.area);
      if (e.key === 'Delete' || e.key === 'Backspace') {
        e.preventDefault();
        return this.#remove(i);
      }
      const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      if (!arrows[e.key]) return;
      e.preventDefault();
      const [dx, dy] = arrows[e.key];
      const step = (e.ctrlKey || e.metaKey ? 10 : 1) * KEY_STEP;
      const sx = Math.max(1, Math.round(this.width * step)) * dx;
      const sy = Math.max(1, Math.round(this.height * step)) * dy;
      const a = { ...this.areas[i] };
      if (e.shiftKey) {
        a.w += sx;
        a.h += sy;
      } else {
        a.x += sx;
        a.y += sy;
      }
      this.areas[i] = this.#clamp(a);
      this.#changed(this.#text(i));
    });
    // Drawing: press, drag, let go. Dragging an area moves it.
    const stage = q('.stage');
    let drag = null;
    const point = (e) => {
      const r = stage.getBoundingClientRect();
      return {
        x: Math.round(Math.min(Math.max((e.clientX - r.left) / r.width, 0), 1) * this.width),
        y: Math.round(Math.min(Math.max((e.clientY - r.top) / r.height, 0), 1) * this.height),
      };
    };
    stage.addEventListener('pointerdown', (e) => {
      if (this.disabled || e.button > 0) return;
      e.preventDefault();
      const box = e.target.closest('.box');
      const at = point(e);
      if (box) {
        const i = Number(box.dataset.area);
        drag = { move: i, from: at, start: { ...this.areas[i] } };
      } else {
        if (this.areas.length >= MAX_AREAS) return;
        this.areas.push({ x: at.x, y: at.y, w: 0, h: 0 });
        drag = { draw: this.areas.length - 1, from: at };
      }
      stage.setPointerCapture(e.pointerId);
    });
    stage.addEventListener('pointermove', (e) => {
      if (!drag) return;
      const at = point(e);
      const { start, from } = drag;
      if (drag.move !== undefined) {
        this.areas[drag.move] = this.#clamp({ ...start, x: start.x + at.x - from.x, y: start.y + at.y - from.y });
      } else {
        this.areas[drag.draw] = { x: Math.min(from.x, at.x), y: Math.min(from.y, at.y), w: Math.abs(at.x - from.x), h: Math.abs(at.y - from.y) };
      }
      this.render();
    });
    const end = () => {
      if (!drag) return;
      const i = drag.draw;
      drag = null;
      let say;
      if (i !== undefined) {
        const a = this.areas[i];
        // A tap is no area: at least 1 % of the picture each way.
        if (a.w < this.width / 100 || a.h < this.height / 100) this.areas.splice(i, 1);
        else say = this.#t('evidence.areaAdded', { text: this.#text(i) });
      }
      this.#changed(say);
    };
    stage.addEventListener('pointerup', end);
    stage.addEventListener('pointercancel', end);
  }

  /** Draws the areas as boxes on the picture and as a list, in the language of the moment. */
  render() {
    const t = this.#t;
    const boxes = this.areas.map((a, i) => {
      const box = h('div', { className: 'box', tabIndex: 0 });
      box.dataset.area = i;
      box.setAttribute('role', 'img');
      box.setAttribute('aria-label', this.#text(i));
      box.setAttribute('aria-describedby', this.#help);
      Object.assign(box.style, {
        left: `${(a.x / this.width) * 100}%`, top: `${(a.y / this.height) * 100}%`,
        width: `${(a.w / this.width) * 100}%`, height: `${(a.h / this.height) * 100}%`,
      });
      return box;
    });
    const focused = this.#el.getRootNode().activeElement?.closest?.('.box')?.dataset.area;
    this.#el.querySelector('.boxes').replaceChildren(...boxes);
    if (focused !== undefined) this.#el.querySelector(`.box[data-area="${focused}"]`)?.focus();
    this.#el.querySelector('.areas').replaceChildren(...this.areas.map((a, i) => {
      const button = h('button', { type: 'button', textContent: t('evidence.removeArea') });
      button.dataset.area = i;
      button.setAttribute('aria-label', t('evidence.removeAreaLabel', { n: i + 1 }));
      return h('li', {}, this.#text(i), ' ', button);
    }));
  }

  #changed(say) {
    this.render();
    this.dispatchEvent(new CustomEvent('change', { detail: say }));
  }

  #clamp(a) {
    const w = Math.min(Math.max(a.w, 1), this.width);
    const h = Math.min(Math.max(a.h, 1), this.height);
    return { x: Math.min(Math.max(a.x, 0), this.width - w), y: Math.min(Math.max(a.y, 0), this.height - h), w, h };
  }

  #add(area) {
    if (this.areas.length >= MAX_AREAS) return;
    this.areas.push(this.#clamp(area));
    const i = this.areas.length - 1;
    this.#changed(this.#t('evidence.areaAdded', { text: this.#text(i) }));
    this.#el.querySelector(`.box[data-area="${i}"]`).focus();
  }

  #remove(i) {
    this.areas.splice(i, 1);
    this.#changed(this.#t('evidence.areaRemoved'));
    const next = this.#el.querySelector(`.areas button[data-area="${Math.min(i, this.areas.length - 1)}"]`);
    (next ?? this.#el.querySelector('.add-area')).focus();
  }

  /** "Area 2: from the left 10 %, from the top 30 %, 40 % wide, 5 % high". */
  #text(i) {
    const a = this.areas[i];
    const pct = (v, of) => Math.round((v / of) * 100);
    return this.#t('evidence.area', {
      n: i + 1, left: pct(a.x, this.width), top: pct(a.y, this.height), width: pct(a.w, this.width), height: pct(a.h, this.height),
    });
  }
}
