/**
 * Makes the sample images of examples/media/ with sharp: every picture here is drawn
 * by this script (SVG shapes rendered by libvips), made by the project and released
 * with it under its licence (Apache-2.0). Run it again to remake them:
 *
 *   npx tsx examples/media/make-samples.ts
 *
 * captions.json gives each sample the caption an uploader would type.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";

const HERE = dirname(fileURLToPath(import.meta.url));

interface Sample {
  readonly file: string;
  readonly width: number;
  readonly height: number;
  readonly caption?: string;
  /** SVG drawn inside a <svg> of the sample's size. */
  readonly draw: (width: number, height: number) => string;
  readonly exif?: Record<string, Record<string, string>>;
}

const gradient = (id: string, from: string, to: string, vertical = true) =>
  `<defs><linearGradient id="${id}" x1="0" y1="0" x2="${vertical ? 0 : 1}" y2="${vertical ? 1 : 0}"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>`;

/** A seeded generator, so the samples come out the same every time. */
function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const SAMPLES: readonly Sample[] = [
  {
    file: "sunset-over-sea.jpg",
    width: 1200,
    height: 800,
    caption: "Sunset over the sea",
    draw: (w, h) =>
      `${gradient("sky", "#ff8a3d", "#6a2c70")}<rect width="${w}" height="${h * 0.6}" fill="url(#sky)"/><circle cx="${w / 2}" cy="${h * 0.55}" r="${h / 7}" fill="#ffd166"/><rect y="${h * 0.6}" width="${w}" height="${h * 0.4}" fill="#1d3557"/>`,
  },
  {
    file: "green-forest.jpg",
    width: 900,
    height: 1200,
    caption: "Green forest in the morning",
    draw: (w, h) =>
      `<rect width="${w}" height="${h}" fill="#cfe8c8"/>${Array.from({ length: 9 }, (_, i) => `<polygon points="${(i * w) / 8},${h} ${(i * w) / 8 + 60},${h * 0.3} ${(i * w) / 8 + 120},${h}" fill="#2d6a4f"/>`).join("")}`,
  },
  {
    file: "snowy-mountains.png",
    width: 1600,
    height: 900,
    caption: "Snow covered mountains under a blue sky",
    draw: (w, h) =>
      `${gradient("sky", "#4a90d9", "#d6ecff")}<rect width="${w}" height="${h}" fill="url(#sky)"/><polygon points="0,${h} ${w * 0.3},${h * 0.25} ${w * 0.6},${h}" fill="#f1f5f9"/><polygon points="${w * 0.4},${h} ${w * 0.72},${h * 0.35} ${w},${h}" fill="#e2e8f0"/>`,
  },
  {
    file: "night-sky.webp",
    width: 800,
    height: 800,
    caption: "Night sky full of stars",
    draw: (w, h) => {
      const random = seeded(7);
      const stars = Array.from(
        { length: 120 },
        () =>
          `<circle cx="${random() * w}" cy="${random() * h}" r="${1 + random() * 2}" fill="#fffbe6"/>`,
      );
      return `<rect width="${w}" height="${h}" fill="#0b132b"/>${stars.join("")}`;
    },
  },
  {
    file: "fruit-bowl.jpg",
    width: 640,
    height: 480,
    caption: "A bowl of fruit on a kitchen table",
    draw: (w, h) =>
      `<rect width="${w}" height="${h}" fill="#a47148"/><ellipse cx="${w / 2}" cy="${h * 0.65}" rx="${w * 0.3}" ry="${h * 0.15}" fill="#f8f9fa"/><circle cx="${w * 0.42}" cy="${h * 0.52}" r="50" fill="#e63946"/><circle cx="${w * 0.55}" cy="${h * 0.5}" r="45" fill="#f4a261"/><circle cx="${w * 0.5}" cy="${h * 0.42}" r="40" fill="#8ac926"/>`,
  },
  {
    file: "city-skyline.png",
    width: 1000,
    height: 500,
    caption: "City skyline with buildings at dusk",
    draw: (w, h) => {
      const random = seeded(3);
      const towers = Array.from({ length: 14 }, (_, i) => {
        const height = h * (0.3 + random() * 0.5);
        return `<rect x="${(i * w) / 14}" y="${h - height}" width="${w / 16}" height="${height}" fill="#22223b"/>`;
      });
      return `${gradient("dusk", "#f28482", "#4a4e69")}<rect width="${w}" height="${h}" fill="url(#dusk)"/>${towers.join("")}`;
    },
  },
  {
    file: "abstract-stripes.gif",
    width: 400,
    height: 400,
    caption: "Abstract pattern of coloured stripes",
    draw: (w, h) =>
      ["#ef476f", "#ffd166", "#06d6a0", "#118ab2", "#073b4c"]
        .map(
          (colour, i) =>
            `<rect x="${(i * w) / 5}" width="${w / 5}" height="${h}" fill="${colour}"/>`,
        )
        .join(""),
  },
  {
    file: "beach-with-location.jpg",
    width: 1024,
    height: 768,
    caption: "Beach with palm trees by the sea",
    draw: (w, h) =>
      `<rect width="${w}" height="${h * 0.5}" fill="#8ecae6"/><rect y="${h * 0.5}" width="${w}" height="${h * 0.2}" fill="#219ebc"/><rect y="${h * 0.7}" width="${w}" height="${h * 0.3}" fill="#ffe8a3"/><rect x="${w * 0.7}" y="${h * 0.3}" width="16" height="${h * 0.45}" fill="#6f4518"/><circle cx="${w * 0.7 + 8}" cy="${h * 0.3}" r="60" fill="#2a9d8f"/>`,
    // A camera's metadata, GPS position included: variants must not carry it.
    exif: {
      IFD0: { Make: "signalbox-sample-camera", Artist: "signalbox", Copyright: "Apache-2.0" },
      IFD3: {
        GPSLatitudeRef: "N",
        GPSLatitude: "52/1 31/1 0/1",
        GPSLongitudeRef: "E",
        GPSLongitude: "13/1 24/1 0/1",
      },
    },
  },
  {
    file: "blank-wall.png",
    width: 600,
    height: 400,
    caption: "Wall",
    draw: (w, h) => `<rect width="${w}" height="${h}" fill="#9a9a9a"/>`,
  },
  {
    file: "team-selfie.jpg",
    width: 800,
    height: 600,
    caption: "Team selfie at the office party",
    draw: (w, h) =>
      `<rect width="${w}" height="${h}" fill="#ffe5ec"/>${[0.25, 0.5, 0.75].map((x) => `<circle cx="${w * x}" cy="${h * 0.4}" r="70" fill="#e0ac69"/><rect x="${w * x - 80}" y="${h * 0.55}" width="160" height="${h * 0.45}" fill="#3a86ff"/>`).join("")}`,
  },
  {
    file: "passport-scan.jpg",
    width: 700,
    height: 500,
    caption: "Scan of my passport for the application",
    draw: (w, h) =>
      `<rect width="${w}" height="${h}" fill="#f1faee"/><rect x="40" y="60" width="${w - 80}" height="${h - 120}" rx="16" fill="#1d3557"/><rect x="80" y="120" width="160" height="200" fill="#e9c46a"/>${[0, 1, 2, 3].map((i) => `<rect x="280" y="${140 + i * 45}" width="${w - 400}" height="18" fill="#a8dadc"/>`).join("")}`,
  },
  {
    file: "untitled-upload.avif",
    width: 500,
    height: 500,
    draw: (w, h) => {
      const random = seeded(11);
      const blobs = Array.from(
        { length: 40 },
        () =>
          `<circle cx="${random() * w}" cy="${random() * h}" r="${10 + random() * 40}" fill="rgb(${Math.floor(random() * 255)},${Math.floor(random() * 255)},${Math.floor(random() * 255)})" fill-opacity="0.7"/>`,
      );
      return `<rect width="${w}" height="${h}" fill="#777"/>${blobs.join("")}`;
    },
  },
];

async function make(sample: Sample): Promise<void> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${sample.width}" height="${sample.height}">${sample.draw(sample.width, sample.height)}</svg>`;
  let image = sharp(Buffer.from(svg));
  if (sample.exif) image = image.withExif(sample.exif);
  const format = sample.file.split(".").pop();
  const encoded =
    format === "jpg"
      ? image.jpeg({ quality: 82 })
      : format === "png"
        ? image.png({ compressionLevel: 9, palette: true })
        : format === "webp"
          ? image.webp({ quality: 80 })
          : format === "gif"
            ? image.gif()
            : image.avif({ quality: 50, effort: 2 });
  await encoded.toFile(join(HERE, sample.file));
}

for (const sample of SAMPLES) await make(sample);
const captions = Object.fromEntries(
  SAMPLES.filter((sample) => sample.caption).map((sample) => [sample.file, sample.caption]),
);
writeFileSync(join(HERE, "captions.json"), `${JSON.stringify(captions, null, 2)}\n`);
process.stdout.write(`made ${SAMPLES.length} samples in ${HERE}\n`);
