// area-editor.js: rectangles marked on a picture, as GitHub's image-crop-element marks one: drawn
// and moved with a mouse, a pen or a finger, moved and sized by keys, removed with Delete or from
// the list under it, with undo and redo. The picture can be zoomed (buttons, keys, two fingers)
// and scrolled inside its own working view, so a phone's small screen still allows precise work.
// Areas are in the picture's pixels. Fires `change` when they changed and `announce` for a new
// zoom, each with what to say as `detail` (or none); blacking them out is the evidence step's job.
//
// Keys (the help text says the same): on a selected area, arrows move it by one pixel of the
// screen (so finer when zoomed in), Shift+arrows by ten, Ctrl/Cmd+arrows size it (right and
// down grow, left and up shrink), Delete removes it. On the working view, arrows scroll it
// (Shift: further). Anywhere in the editor: + and - zoom, 0 shows the whole picture,
// Ctrl/Cmd+Z undoes, Ctrl+Y or Ctrl/Cmd+Shift+Z redoes.
import { h } from '../dom.js';

const MAX_AREAS = 100;
const ZOOMS = [1, 1.5, 2, 3, 4, 6, 8]; // times the whole picture's size, 8 at most
const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

export class AreaEditor extends EventTarget {
  areas = [];
  width = 0;
  height = 0;
  disabled = false; // no drawing while the areas are being blacked out
  zoom = 1; // times the size at which the whole picture fits
  scale = 1; // CSS pixels per picture pixel, as shown now
  #el;
  #t;
  #help;
  #view;
  #stage;
  #history = [[]]; // the areas after each change; #at is the one shown
  #at = 0;
  #lastKey = null; // key presses on the same area make one step to undo
  #pointers = new Map();
  #pinch = null;

  /** Edits in `el` (`.view` holding `.stage`, the tools and the `.areas` list); `help` is the hint's id. */
  constructor(el, t, help) {
    super();
    this.#el = el;
    this.#t = t;
    this.#help = help;
    const q = (sel) => el.querySelector(sel);
    this.#view = q('.view');
    this.#stage = q('.stage');
    q('.add-area').addEventListener('click', () => {
      // A new area in the middle of what is in view, a fifth of it each way, to move and size by keys.
      const v = this.#view;
      const [cx, cy] = [(v.scrollLeft + v.clientWidth / 2) / this.scale, (v.scrollTop + v.clientHeight / 2) / this.scale];
      const w = Math.max(1, Math.round(Math.min(this.width, v.clientWidth / this.scale) / 5));
      const h = Math.max(1, Math.round(Math.min(this.height, v.clientHeight / this.scale) / 5));
      this.#add({ x: Math.round(cx - w / 2), y: Math.round(cy - h / 2), w, h });
    });
    q('.areas').addEventListener('click', (e) => {
      const button = e.target.closest('button[data-area]');
      if (button) this.#remove(Number(button.dataset.area));
    });
    q('.zoom-in').addEventListener('click', () => this.#zoomStep(1));
    q('.zoom-out').addEventListener('click', () => this.#zoomStep(-1));
    q('.zoom-fit').addEventListener('click', () => this.#zoomTo(1, null, true));
    q('.undo').addEventListener('click', () => this.#undo(-1));
    q('.redo').addEventListener('click', () => this.#undo(1));
    el.addEventListener('keydown', (e) => this.#key(e));
    // A new size of the page (a phone turned) fits the picture again.
    new ResizeObserver(() => this.#layout()).observe(el);

    // Drawing: press, drag, let go. Dragging an area moves it. Two fingers zoom and scroll.
    let drag = null;
    const point = (e) => {
      const r = this.#stage.getBoundingClientRect();
      return {
        x: Math.round(Math.min(Math.max((e.clientX - r.left) / r.width, 0), 1) * this.width),
        y: Math.round(Math.min(Math.max((e.clientY - r.top) / r.height, 0), 1) * this.height),
      };
    };
    const fingers = () => {
      const [a, b] = [...this.#pointers.values()];
      return { d: Math.hypot(a.x - b.x, a.y - b.y) || 1, x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
    };
    this.#stage.addEventListener('pointerdown', (e) => {
      if (this.disabled || e.button > 0) return;
      e.preventDefault();
      this.#pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      this.#stage.setPointerCapture(e.pointerId);
      if (this.#pointers.size === 2) {
        // A second finger: what the first one began is undone, and the two zoom.
        if (drag?.draw !== undefined) this.areas.splice(drag.draw, 1);
        if (drag?.move !== undefined) this.areas[drag.move] = drag.start;
        drag = null;
        this.render();
        const f = fingers();
        this.#pinch = { d: f.d, zoom: this.zoom, at: this.#pictureAt(f) };
        return;
      }
      if (this.#pointers.size > 1 || this.#pinch) return;
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
    });
    this.#stage.addEventListener('pointermove', (e) => {
      if (this.#pointers.has(e.pointerId)) this.#pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (this.#pinch && this.#pointers.size === 2) {
        const f = fingers();
        return this.#zoomTo((this.#pinch.zoom * f.d) / this.#pinch.d, { picture: this.#pinch.at, client: f });
      }
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
    const end = (e) => {
      this.#pointers.delete(e.pointerId);
      if (this.#pinch) {
        // The zoom is said once the fingers are lifted; no drawing until then.
        if (!this.#pointers.size) {
          this.#pinch = null;
          this.#sayZoom();
        }
        return;
      }
      if (!drag) return;
      const { draw, move, start } = drag;
      drag = null;
      if (draw !== undefined) {
        const a = this.areas[draw];
        // A tap is no area: at least 1 % of the picture each way.
        if (a.w < this.width / 100 || a.h < this.height / 100) {
          this.areas.splice(draw, 1);
          return this.render();
        }
        return this.#commit(this.#t('evidence.areaAdded', { text: this.#text(draw) }));
      }
      const a = this.areas[move];
      if (a.x !== start.x || a.y !== start.y) this.#commit();
    };
    this.#stage.addEventListener('pointerup', end);
    this.#stage.addEventListener('pointercancel', end);
  }

  /** Draws the areas as boxes on the picture and as a list, and the tools, in the language of the moment. */
  render() {
    const t = this.#t;
    this.#layout();
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
    if (focused !== undefined) (this.#el.querySelector(`.box[data-area="${focused}"]`) ?? this.#view).focus();
    this.#el.querySelector('.areas').replaceChildren(...this.areas.map((a, i) => {
      const button = h('button', { type: 'button', textContent: t('evidence.removeArea') });
      button.dataset.area = i;
      button.setAttribute('aria-label', t('evidence.removeAreaLabel', { n: i + 1 }));
      return h('li', {}, this.#text(i), ' ', button);
    }));
    const set = (sel, text, off) => {
      const button = this.#el.querySelector(sel);
      button.textContent = text;
      // aria-disabled, not disabled: the button keeps the focus when there is nothing left to undo.
      button.setAttribute('aria-disabled', String(off));
    };
    set('.zoom-in', t('evidence.zoomIn'), this.zoom >= ZOOMS.at(-1));
    set('.zoom-out', t('evidence.zoomOut'), this.zoom <= 1);
    set('.zoom-fit', t('evidence.zoomFit'), this.zoom === 1);
    set('.undo', t('evidence.undo'), this.#at === 0);
    set('.redo', t('evidence.redo'), this.#at === this.#history.length - 1);
    this.#el.querySelector('.zoom-level').textContent = t('evidence.zoomLevel', { percent: Math.round(this.zoom * 100) });
    this.#view.setAttribute('aria-describedby', this.#help);
  }

  /**
   * Sizes the stage for the zoom; the view keeps the size of the whole picture (which fits the
   * width and 70 % of the window's height), so nothing around it moves and the zoomed picture
   * scrolls inside it.
   */
  #layout() {
    const room = this.#el.clientWidth;
    if (!room || !this.width) return;
    const fit = Math.min(1, room / this.width, (innerHeight * 0.7) / this.height);
    this.scale = fit * this.zoom;
    const px = (v) => `${v}px`;
    Object.assign(this.#view.style, { width: px(this.width * fit), height: px(this.height * fit) });
    Object.assign(this.#stage.style, { width: px(this.width * this.scale), height: px(this.height * this.scale) });
  }

  /** The picture's point under a point of the screen. */
  #pictureAt({ x, y }) {
    const r = this.#stage.getBoundingClientRect();
    return { x: (x - r.left) / this.scale, y: (y - r.top) / this.scale };
  }

  /**
   * Zooms to `zoom`, keeping `anchor.picture` (a point of the picture) under `anchor.client` (a
   * point of the screen); without an anchor, the selected area or the middle of the view stays.
   */
  #zoomTo(zoom, anchor, say = false) {
    zoom = Math.min(Math.max(zoom, 1), ZOOMS.at(-1));
    const v = this.#view;
    const r = v.getBoundingClientRect();
    const middle = { x: r.left + v.clientWidth / 2, y: r.top + v.clientHeight / 2 };
    const box = this.#el.getRootNode().activeElement?.closest?.('.box');
    const a = box && this.areas[box.dataset.area];
    anchor ??= { picture: a ? { x: a.x + a.w / 2, y: a.y + a.h / 2 } : this.#pictureAt(middle), client: middle };
    this.zoom = zoom;
    this.render();
    v.scrollLeft = anchor.picture.x * this.scale - (anchor.client.x - r.left);
    v.scrollTop = anchor.picture.y * this.scale - (anchor.client.y - r.top);
    if (say) this.#sayZoom();
  }

  #zoomStep(direction) {
    const next = direction > 0 ? ZOOMS.find((z) => z > this.zoom + 0.01) : ZOOMS.findLast((z) => z < this.zoom - 0.01);
    this.#zoomTo(next ?? this.zoom, null, true);
  }

  #sayZoom() {
    const detail = this.#t('evidence.zoomLevel', { percent: Math.round(this.zoom * 100) });
    this.dispatchEvent(new CustomEvent('announce', { detail }));
  }

  #key(e) {
    if (this.disabled) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const act = (fn) => {
      e.preventDefault();
      fn();
    };
    if (mod && !e.altKey && (key === 'z' || key === 'y')) return act(() => this.#undo(key === 'y' || e.shiftKey ? 1 : -1));
    if (!mod && !e.altKey && (key === '+' || key === '=')) return act(() => this.#zoomStep(1));
    if (!mod && !e.altKey && key === '-') return act(() => this.#zoomStep(-1));
    if (!mod && !e.altKey && key === '0') return act(() => this.#zoomTo(1, null, true));
    const box = e.target.closest('.box');
    if (e.target === this.#view && ARROWS[key] && !mod) {
      // Scrolls the working view: a tenth of it, Shift half.
      const [dx, dy] = ARROWS[key];
      const part = e.shiftKey ? 0.5 : 0.1;
      return act(() => this.#view.scrollBy(dx * this.#view.clientWidth * part, dy * this.#view.clientHeight * part));
    }
    if (!box) return;
    const i = Number(box.dataset.area);
    if (key === 'Delete' || key === 'Backspace') return act(() => this.#remove(i));
    if (!ARROWS[key]) return;
    e.preventDefault();
    const [dx, dy] = ARROWS[key];
    // One pixel of the screen, in the picture's pixels (never less than one); Shift: ten.
    const step = Math.max(1, Math.round((e.shiftKey ? 10 : 1) / this.scale));
    const a = { ...this.areas[i] };
    if (mod) {
      a.w += step * dx;
      a.h += step * dy;
    } else {
      a.x += step * dx;
      a.y += step * dy;
    }
    this.areas[i] = this.#clamp(a);
    this.#commit(this.#text(i), `${mod ? 'size' : 'move'} ${i}`);
  }

  /** Keeps the areas as a step to undo (key presses of one kind on one area make one) and tells. */
  #commit(say, key = null) {
    const copy = this.areas.map((a) => ({ ...a }));
    if (key && key === this.#lastKey && this.#at === this.#history.length - 1) this.#history[this.#at] = copy;
    else {
      this.#history.splice(this.#at + 1, Infinity, copy);
      this.#at = this.#history.length - 1;
    }
    this.#lastKey = key;
    this.#changed(say);
  }

  #undo(direction) {
    const at = this.#at + direction;
    if (this.disabled || at < 0 || at >= this.#history.length) return;
    this.#at = at;
    this.#lastKey = null;
    this.areas = this.#history[at].map((a) => ({ ...a }));
    const count = this.areas.length;
    this.#changed(direction < 0 ? this.#t('evidence.undone', { count }) : this.#t('evidence.redone', { count }));
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
    this.#commit(this.#t('evidence.areaAdded', { text: this.#text(i) }));
    this.#el.querySelector(`.box[data-area="${i}"]`).focus();
  }

  #remove(i) {
    this.areas.splice(i, 1);
    this.#commit(this.#t('evidence.areaRemoved'));
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
