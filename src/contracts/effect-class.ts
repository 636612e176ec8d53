/** The effect classes a step or tool declares. Only `write` and `irreversible` touch the world. */
export type EffectClass = "pure" | "read" | "write" | "irreversible";
