// The Swagger 2.0 rules @apidevtools/swagger-parser checks beyond its schema (it ships no types for it).
declare module '@apidevtools/swagger-parser/lib/validators/spec.js' {
  /** Throws a SyntaxError naming the first rule the API breaks; OpenAPI 3.x documents are not checked. */
  export default function validateSpec(api: unknown): void;
}
