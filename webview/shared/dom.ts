/** DOM building for the webview pages: text children only, never parsed as HTML. */
export type Child = Node | string;

/** `h('td', { class: 'num' }, text)`: elements with attributes and text children, never HTML. */
export function h(tag: string, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) element.append(child);
  return element;
}
