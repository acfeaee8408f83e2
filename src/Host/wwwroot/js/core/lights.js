// The lights' shapes, so that a light never rests on its colour alone, and the worst light among a department's figures.

/** The shape of each light (and of work done on time or late). */
export const symbols = { green: "●", yellow: "▲", red: "■", serious: "✖", paused: "‖", "done-on-time": "✔", "done-late": "✘" };

/** The worst light among counts by light (seriously overdue, red, yellow, green), or "none" when nothing is open. */
export function worstLight(figures) {
  if (figures.seriouslyOverdue > 0) return "serious";
  if (figures.red > 0) return "red";
  if (figures.yellow > 0) return "yellow";
  return figures.green > 0 ? "green" : "none";
}
