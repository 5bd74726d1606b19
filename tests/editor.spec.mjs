// The screenshot editor of the evidence step (issue 18, item 7): zoom (buttons, keys, two
// fingers) and scrolling inside its working view, fine steps by keys, undo and redo, the line of
// guidance, and the picture blurred outside the working view; axe-core and a 360 px phone for
// each new state, with screenshots in test-results/screenshots/. The test picture is written
// here (a PNG with a red "name" at a known place); what is blacked out is read back from the
// kept PNG, decoded by the browser, and compared with the test's own rectangle.
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { test, expect } from '@playwright/test';
import { addUrls, axe, catalog, chooseSituation, expectStep, helper, next, startFlow, text } from './flow-helpers.mjs';

const SCREENSHOTS = join(import.meta.dirname, '../test-results/screenshots');

// The test picture: 1000x700, no pixel black, a red name at NAME.
const [W, H] = [1000, 700];
const NAME = { x: 613, y: 377, w: 141, h: 23 };
const RED = [220, 0, 0];
const background = (x, y) => [100 + (x % 50), 150 + (y % 50), 200];

/** A PNG (RGB, 8 bits) of `pixel(x, y)`, written with Node's zlib. */
function makePng(width, height, pixel) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) Buffer.from(pixel(x, y)).copy(raw, y * (width * 3 + 1) + 1 + x * 3);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

const inside = (r, x, y) => x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
const PICTURE = makePng(W, H, (x, y) => (inside(NAME, x, y) ? RED : background(x, y)));

const shot = (page) => helper(page).locator('#shots > li.shot').first();

/** From the first step to the evidence step, with one link, and the test picture added. */
async function openPicture(page, lang) {
  const m = await startFlow(page, { lang });
  await chooseSituation(page, 'shared');
  await next(page);
  await next(page);
  await addUrls(page, 'https://forum.example/t/editor');
  await next(page);
  await expectStep(page, 'evidence');
  await helper(page).locator('#shot-input').setInputFiles([{ name: 'shot.png', mimeType: 'image/png', buffer: PICTURE }]);
  await expect(shot(page)).toHaveAttribute('data-state', 'marking');
  return m;
}

/** The zoom shown, and the stage's size in CSS px per picture px. */
const scaleOf = async (page) => (await shot(page).locator('.editor .stage').boundingBox()).width / W;

/** The boxes as drawn, in picture pixels (from their percentages). */
const boxes = (page) =>
  shot(page).locator('.box').evaluateAll((els, [w, h]) => els.map((b) => {
    const px = (v, of) => Math.round((parseFloat(v) / 100) * of);
    return { x: px(b.style.left, w), y: px(b.style.top, h), w: px(b.style.width, w), h: px(b.style.height, h) };
  }), [W, H]);

/** The kept PNG as the browser decodes it: the black pixels (count and bounds) and the red ones left. */
const keptPixels = (page) =>
  shot(page).locator('img.redacted').evaluate(async (img) => {
    await img.decode();
    const canvas = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
    const c = canvas.getContext('2d');
    c.drawImage(img, 0, 0);
    const { data, width, height } = c.getImageData(0, 0, img.naturalWidth, img.naturalHeight);
    let [black, red] = [0, 0];
    const b = { x0: Infinity, y0: Infinity, x1: -1, y1: -1 };
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = 4 * (y * width + x);
        const px = [data[i], data[i + 1], data[i + 2], data[i + 3]].join();
        if (px === '0,0,0,255') {
          black++;
          Object.assign(b, { x0: Math.min(b.x0, x), y0: Math.min(b.y0, y), x1: Math.max(b.x1, x), y1: Math.max(b.y1, y) });
        } else if (px === '220,0,0,255') red++;
      }
    }
    return { size: [width, height], black, red, bounds: black ? { x: b.x0, y: b.y0, w: b.x1 - b.x0 + 1, h: b.y1 - b.y0 + 1 } : null };
  });

/** The text the element last announced (its live region). */
const announced = (page) => helper(page).locator('#announcer');

/** On a 360 px phone: nothing wider than the screen (the working view scrolls inside), targets of 24 px. */
async function checkPhone(page, name) {
  expect(await axe(page), `${name}: axe`).toEqual([]);
  expect(await page.evaluate(() => document.scrollingElement.scrollWidth), `${name}: no sideways scroll`).toBeLessThanOrEqual(360);
  const found = await helper(page).evaluate((host) => {
    const small = [];
    const wide = [];
    for (const e of host.shadowRoot.querySelectorAll('section[data-step="evidence"] *')) {
      if (!e.getClientRects().length || e.closest('.view')) continue; // the picture scrolls in its view
      const r = e.getBoundingClientRect();
      if (r.left < -0.5 || r.right > 360.5) wide.push(`${e.localName}.${e.className}`);
      if (e.matches('button') && (r.width < 24 || r.height < 24)) small.push(e.textContent);
    }
    return { small, wide };
  });
  expect(found, `${name}: targets and width`).toEqual({ small: [], wide: [] });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

for (const lang of ['en', 'nl']) {
  test(`${lang}: zoom by buttons and keys, scroll the view, and fine steps place an area exactly over a name`, async ({ page }) => {
    const m = await openPicture(page, lang);
    const s = shot(page);
    const level = s.locator('.zoom-level');
    await expect(s.locator('.shot-guide')).toHaveText(m['evidence.guide']);
    await expect(s.locator('.shot-help')).toHaveText(m['evidence.help']);
    await expect(level).toHaveText(text(m, 'evidence.zoomLevel', { percent: 100 }));
    const fit = await scaleOf(page);
    // The picture is larger than the room: at 100 % it fits.
    expect(fit).toBeLessThan(1);

    // Blurred until shown; shown only here.
    const canvas = s.locator('canvas.picture');
    expect(await canvas.evaluate((c) => getComputedStyle(c).filter)).toMatch(/blur/);
    await s.locator('.editor .reveal').click();
    expect(await canvas.evaluate((c) => getComputedStyle(c).filter)).toBe('none');

    // Buttons: in, in, out; keys: + and - and 0, said aloud.
    await s.locator('.zoom-in').click();
    await expect(level).toHaveText(text(m, 'evidence.zoomLevel', { percent: 150 }));
    await expect(announced(page)).toHaveText(text(m, 'evidence.zoomLevel', { percent: 150 }));
    expect(await scaleOf(page)).toBeCloseTo(fit * 1.5, 2);
    await s.locator('.zoom-in').click();
    await expect(level).toHaveText(text(m, 'evidence.zoomLevel', { percent: 200 }));
    await s.locator('.zoom-out').click();
    await expect(level).toHaveText(text(m, 'evidence.zoomLevel', { percent: 150 }));
    await s.locator('.view').focus();
    await page.keyboard.press('0');
    await expect(level).toHaveText(text(m, 'evidence.zoomLevel', { percent: 100 }));
    await expect(s.locator('.zoom-fit')).toHaveAttribute('aria-disabled', 'true');
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await expect(level).toHaveText(text(m, 'evidence.zoomLevel', { percent: 200 }));
    await page.keyboard.press('-');
    await page.keyboard.press('=');
    await expect(level).toHaveText(text(m, 'evidence.zoomLevel', { percent: 200 }));
    const scale = await scaleOf(page);
    expect(scale).toBeCloseTo(fit * 2, 2);
    // The zoomed picture scrolls in its view, not the page.
    const view = s.locator('.view');
    const viewBox = await view.boundingBox();
    expect((await s.locator('.editor .stage').boundingBox()).width).toBeGreaterThan(viewBox.width + 100);
    expect(await page.evaluate(() => document.scrollingElement.scrollWidth)).toBeLessThanOrEqual(page.viewportSize().width);

    // Arrows on the view scroll it.
    const scrolled = () => view.evaluate((v) => [v.scrollLeft, v.scrollTop]);
    const [left0, top0] = await scrolled();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    const [left1, top1] = await scrolled();
    expect(left1).toBeGreaterThan(left0);
    expect(top1).toBeGreaterThan(top0);
    await page.keyboard.press('ArrowLeft');
    expect((await scrolled())[0]).toBeLessThan(left1);

    // At 200 % a screen pixel is less than a picture pixel, so an arrow moves or sizes the area
    // by one picture pixel; Shift by ten screen pixels (in picture pixels, rounded).
    expect(scale).toBeGreaterThan(1);
    const big = Math.round(10 / scale);
    await s.locator('.add-area').click();
    await expect(s.locator('.box')).toHaveCount(1);
    await expect(s.locator('.box')).toBeFocused();
    let [a] = await boxes(page);
    const press = async (mods, key, times) => {
      for (let i = 0; i < times; i++) await page.keyboard.press(`${mods}${key}`);
    };
    const steer = async (mod, from, to, [less, more]) => {
      const d = to - from;
      const key = d < 0 ? less : more;
      await press(`${mod}Shift+`, key, Math.floor(Math.abs(d) / big));
      await press(mod, key, Math.abs(d) % big);
    };
    // Size first (from where it is), then place.
    await steer('Control+', a.w, NAME.w, ['ArrowLeft', 'ArrowRight']);
    await steer('Control+', a.h, NAME.h, ['ArrowUp', 'ArrowDown']);
    [a] = await boxes(page);
    expect([a.w, a.h]).toEqual([NAME.w, NAME.h]);
    await steer('', a.x, NAME.x, ['ArrowLeft', 'ArrowRight']);
    await steer('', a.y, NAME.y, ['ArrowUp', 'ArrowDown']);
    expect(await boxes(page)).toEqual([NAME]);
    await expect(s.locator('.box')).toBeFocused();

    // Kept: black exactly where the name was, nothing red left, the rest untouched.
    await s.locator('.apply').click();
    await expect(s).toHaveAttribute('data-state', 'redacted');
    const kept = await keptPixels(page);
    expect(kept).toEqual({ size: [W, H], black: NAME.w * NAME.h, red: 0, bounds: NAME });
    // The kept picture stays blurred, with no way to show it outside the editor.
    expect(await s.locator('img.redacted').evaluate((i) => getComputedStyle(i).filter)).toMatch(/blur/);
    await expect(s.locator('.result .reveal')).toHaveCount(0);
  });

  test(`${lang}: undo and redo every add, move and removal, by keys and buttons, until "keep"`, async ({ page }) => {
    const m = await openPicture(page, lang);
    const s = shot(page);
    const undo = s.locator('.undo');
    const redo = s.locator('.redo');
    await expect(undo).toHaveText(m['evidence.undo']);
    await expect(redo).toHaveText(m['evidence.redo']);
    await expect(undo).toHaveAttribute('aria-disabled', 'true');

    // One area added by the button, one drawn by the mouse (its corners at the test's fractions).
    await s.locator('.add-area').click();
    const [added] = await boxes(page);
    await s.locator('.view').scrollIntoViewIfNeeded();
    const stage = await s.locator('.editor .stage').boundingBox();
    const drawnAt = [[0.05, 0.05], [0.25, 0.2]];
    await page.mouse.move(stage.x + drawnAt[0][0] * stage.width, stage.y + drawnAt[0][1] * stage.height);
    await page.mouse.down();
    await page.mouse.move(stage.x + drawnAt[1][0] * stage.width, stage.y + drawnAt[1][1] * stage.height, { steps: 4 });
    await page.mouse.up();
    await expect(s.locator('.box')).toHaveCount(2);
    // The first one moved by keys: five presses make one step to undo.
    await s.locator('.box').nth(0).focus();
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
    const [moved] = await boxes(page);
    expect(moved.x).toBeGreaterThan(added.x);

    await page.keyboard.press('Control+z');
    expect((await boxes(page))[0]).toEqual(added);
    await expect(announced(page)).toHaveText(text(m, 'evidence.undone', { count: 2 }));
    await page.keyboard.press('Control+z');
    await expect(s.locator('.box')).toHaveCount(1);
    await undo.click();
    await expect(s.locator('.box')).toHaveCount(0);
    await expect(undo).toHaveAttribute('aria-disabled', 'true');
    await expect(undo).toBeFocused();
    await page.keyboard.press('Control+y');
    await expect(s.locator('.box')).toHaveCount(1);
    await expect(announced(page)).toHaveText(text(m, 'evidence.redone', { count: 1 }));
    await page.keyboard.press('Control+Shift+z');
    await expect(s.locator('.box')).toHaveCount(2);
    await redo.click();
    expect((await boxes(page))[0]).toEqual(moved);
    await expect(redo).toHaveAttribute('aria-disabled', 'true');

    // A removal from the list is undone too; then the drawn one is undone away for good.
    await s.locator('.areas button[data-area="0"]').click();
    await expect(s.locator('.box')).toHaveCount(1);
    await undo.click();
    await expect(s.locator('.box')).toHaveCount(2);
    expect((await boxes(page))[0]).toEqual(moved);
    await s.locator('.areas button[data-area="1"]').click();
    await expect(s.locator('.box')).toHaveCount(1);

    // Kept: only the moved area is black; the drawn (then removed) one is not.
    await s.locator('.apply').click();
    await expect(s).toHaveAttribute('data-state', 'redacted');
    const kept = await keptPixels(page);
    expect(kept.black).toBe(moved.w * moved.h);
    expect(kept.bounds).toEqual(moved);
  });

  test(`${lang}: on a phone two fingers zoom around their middle and draw nothing; axe, 360 px and screenshots of each state`, async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2, bypassCSP: true });
    const page = await context.newPage();
    try {
      const m = await openPicture(page, lang);
      const s = shot(page);
      await s.locator('.editor .reveal').tap();
      await expect(s.locator('.shot-guide')).toHaveText(m['evidence.guide']);
      await checkPhone(page, `${lang}-editor-open`);
      const view = s.locator('.view');
      await view.scrollIntoViewIfNeeded();
      const fit = await scaleOf(page);
      const box = await view.boundingBox();
      const mid = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      const pictureAt = async (p) => {
        const st = await s.locator('.editor .stage').boundingBox();
        const scale = st.width / W;
        return { x: (p.x - st.x) / scale, y: (p.y - st.y) / scale };
      };
      const before = await pictureAt(mid);

      // Two fingers 60 px apart spread to 180 px: three times the size, around the same point.
      const cdp = await context.newCDPSession(page);
      const fingers = (d) => [{ x: mid.x - d / 2, y: mid.y, id: 1 }, { x: mid.x + d / 2, y: mid.y, id: 2 }];
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(60) });
      for (let d = 80; d <= 180; d += 20) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: fingers(d) });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      await expect(s.locator('.zoom-level')).toHaveText(text(m, 'evidence.zoomLevel', { percent: 300 }));
      await expect(announced(page)).toHaveText(text(m, 'evidence.zoomLevel', { percent: 300 }));
      expect(await scaleOf(page)).toBeCloseTo(fit * 3, 2);
      const after = await pictureAt(mid);
      expect(Math.abs(after.x - before.x)).toBeLessThan(2);
      expect(Math.abs(after.y - before.y)).toBeLessThan(2);
      await expect(s.locator('.box')).toHaveCount(0);

      await s.locator('.add-area').tap();
      await expect(s.locator('.box')).toHaveCount(1);
      await checkPhone(page, `${lang}-editor-zoomed`);
      await s.locator('.undo').tap();
      await expect(s.locator('.box')).toHaveCount(0);
      await checkPhone(page, `${lang}-editor-undone`);
      await s.locator('.redo').tap();
      await s.locator('.apply').tap();
      await expect(s).toHaveAttribute('data-state', 'redacted');
      expect(await s.locator('img.redacted').evaluate((i) => getComputedStyle(i).filter)).toMatch(/blur/);
      await checkPhone(page, `${lang}-editor-kept`);
    } finally {
      await context.close();
    }
  });
}
