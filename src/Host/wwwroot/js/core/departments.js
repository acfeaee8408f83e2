// The department tree as the API lists it (each department with its parentId).

/**
 * Departments in tree order with their depth, siblings by name; from the given roots (ids) or, without, from the
 * top (a department whose parent is not listed counts as top-level). Answers the order and each department's children.
 */
export function treeOrder(departments, roots = null) {
  const ids = new Set(departments.map((d) => d.id));
  const children = new Map();
  for (const d of departments) {
    const parent = d.parentId !== null && ids.has(d.parentId) ? d.parentId : null;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(d);
  }
  const ordered = [];
  const walk = (list, depth) => {
    for (const d of [...list].sort((a, b) => a.name.localeCompare(b.name, "zh-CN"))) {
      ordered.push({ department: d, depth });
      walk(children.get(d.id) || [], depth + 1);
    }
  };
  walk(roots ? departments.filter((d) => roots.includes(d.id)) : children.get(null) || [], 0);
  return { ordered, children };
}
