import MiniSearch from "minisearch";
import { HELP_ARTICLES, type HelpArticle } from "./articles.ts";

/** One search hit: the article, its BM25 score and the query words it matched. */
export interface HelpHit {
  readonly id: string;
  readonly title: string;
  readonly excerpt: string;
  readonly score: number;
  readonly matched: readonly string[];
}

/**
 * Words that say nothing about the problem. Left in, "my app does not work" would
 * match every article that says "app" and "work".
 */
const STOP_WORDS = new Set(
  `a an and are as at be been but by can cannot could do does did doesn't don't for from get
  got has have having how i i'm if in into is it it's its just keep keeps me my no not now of
  on or our please so still that the their them then there this to too up us was we what when
  where which while why will with would you your yours hello hi thanks thank help fieldnote app
  work works working anymore since today again any all some also very really`.split(/\s+/),
);

function processTerm(term: string): string | null {
  const word = term.toLowerCase();
  if (word.length < 2 || STOP_WORDS.has(word)) return null;
  return word;
}

/** A hit is an answer only when its score and the share of the question's words it matched are high enough. */
const MIN_SCORE = 6;
const MIN_MATCHED = 2;

/**
 * Full-text search over the shipped help centre (MiniSearch: BM25 with prefix and
 * fuzzy matching, titles boosted). The index is built on the first search, so a run
 * that never searches (a refund) does not pay for it.
 */
export class HelpCenter {
  private built: MiniSearch<HelpArticle> | undefined;
  private readonly byId: ReadonlyMap<string, HelpArticle>;

  constructor(private readonly articles: readonly HelpArticle[] = HELP_ARTICLES) {
    this.byId = new Map(articles.map((article) => [article.id, article]));
  }

  private get index(): MiniSearch<HelpArticle> {
    if (this.built === undefined) {
      this.built = new MiniSearch<HelpArticle>({
        fields: ["title", "body"],
        storeFields: ["title"],
        processTerm,
        searchOptions: { boost: { title: 2 }, prefix: true, fuzzy: 0.15, processTerm },
      });
      this.built.addAll([...this.articles]);
    }
    return this.built;
  }

  /** Articles by relevance, at most `limit`, each marked whether it answers the query. */
  search(query: string, limit = 3): HelpHit[] {
    return this.index
      .search(query)
      .slice(0, limit)
      .map((result) => {
        const article = this.byId.get(String(result.id)) as HelpArticle;
        return {
          id: article.id,
          title: article.title,
          excerpt: article.body,
          score: Math.round(result.score * 100) / 100,
          matched: [...new Set(result.terms)].sort(),
        };
      });
  }

  /** Whether a hit is relevant enough to answer from. */
  static answers(hit: HelpHit | undefined): hit is HelpHit {
    return hit !== undefined && hit.score >= MIN_SCORE && hit.matched.length >= MIN_MATCHED;
  }

  article(id: string): HelpArticle | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.byId.size;
  }
}
