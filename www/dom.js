// dom.js: the DOM helpers the element, its steps and its components share.

/** The markup `html` as a fragment. */
export const parse = (html) => {
  const template = document.createElement('template');
  template.innerHTML = html.trim();
  return template.content;
};

/** A maker of copies of the element written in `html`, parsed the first time it is asked. */
export const stamp = (html) => {
  let fragment;
  return () => (fragment ??= parse(html)).firstElementChild.cloneNode(true);
};

/** A new `tag` element with the properties `props` and the children `kids`. */
export const h = (tag, props, ...kids) => {
  const el = Object.assign(document.createElement(tag), props);
  el.append(...kids);
  return el;
};
