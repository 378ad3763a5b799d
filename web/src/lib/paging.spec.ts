import {
  currentCursor,
  firstPage,
  nextPage,
  offsetWindow,
  pageNumber,
  previousPage,
} from './paging';

describe('cursor paging', () => {
  it('walks forward with next_cursor and back along the same trail', () => {
    const second = nextPage(firstPage, 'c2');
    const third = nextPage(second, 'c3');
    expect(currentCursor(third)).toBe('c3');
    expect(pageNumber(third)).toBe(3);
    expect(currentCursor(previousPage(third))).toBe('c2');
    expect(currentCursor(previousPage(previousPage(third)))).toBeUndefined();
  });

  it('stays put past either end', () => {
    expect(nextPage(firstPage, null)).toBe(firstPage);
    expect(previousPage(firstPage)).toBe(firstPage);
  });
});

describe('offsetWindow', () => {
  it('describes a middle page', () => {
    expect(offsetWindow(45, 20, 20)).toEqual({
      from: 21,
      to: 40,
      hasPrevious: true,
      hasNext: true,
      previousOffset: 0,
      nextOffset: 40,
    });
  });
  it('describes the last and an empty page', () => {
    expect(offsetWindow(45, 20, 40)).toMatchObject({ from: 41, to: 45, hasNext: false });
    expect(offsetWindow(0, 20, 0)).toMatchObject({
      from: 0,
      to: 0,
      hasPrevious: false,
      hasNext: false,
    });
  });
});
