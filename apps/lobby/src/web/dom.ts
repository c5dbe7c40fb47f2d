/*
 * The page's few DOM helpers. Everything a page shows that came from the server (names, chat, game
 * names, error messages) goes in through `textContent` only: no helper here ever parses HTML, so a
 * player's name cannot become markup in another player's page.
 */

/** The element with `id`; throws when the page lacks it (a page and script out of step). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`expected the page to have an element #${id}`);
  return element as T;
}

/** A new `tag` element whose text is `content` (as text, never markup), with optional class and test id. */
export function textElement<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  content: string,
  options: { readonly className?: string; readonly testId?: string } = {},
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  element.textContent = content;
  if (options.className !== undefined) element.className = options.className;
  if (options.testId !== undefined) element.dataset['testid'] = options.testId;
  return element;
}

/** A `<button type="button">` labelled `label` that calls `onClick`. */
export function actionButton(
  label: string,
  onClick: () => void,
  options: { readonly className?: string; readonly testId?: string } = {},
): HTMLButtonElement {
  const button = textElement('button', label, options);
  button.type = 'button';
  button.addEventListener('click', onClick);
  return button;
}
